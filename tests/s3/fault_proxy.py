#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for gaggle's S3 tests (Python standard library only).

Usage: fault_proxy.py UPSTREAM_PORT
Listens on 127.0.0.1 (a free port), prints {"port": N} and forwards every request to
127.0.0.1:UPSTREAM_PORT unchanged (the Host header too, so signatures stay valid), until
its standard input closes.

Faults follow a plan the test posts as JSON to /__fault/plan: a list of rules
  {"method": "GET", "query": "partNumber", "path": "key-part", "skip": 0, "count": 3,
   "action": "...", ...}
A request matches a rule when its method, a substring of its query and a substring of its
path match (each optional); the first `skip` matches pass, the next `count` (-1: all) get
the action:
  status            answer `status` (default 503) with an S3 error document `code`
                    (default SlowDown) without forwarding
  reset_before      forward nothing; reset the connection
  reset_after       forward the request, then reset without answering
  reset_mid_body    forward; send the headers and half the body, then reset
  truncate          forward; send the full Content-Length but half the body, then close
  slow              forward; wait `delay_ms` before answering
  slow_body         forward; send the body `chunk` bytes at a time, `delay_ms` apart
  wrong_etag        forward; replace the response's ETag
  corrupt_request   flip one byte of the request body, then forward
GET /__fault/stats returns {"requests": N, "faults": N, "by_action": {...}, "log": [...]}.
"""
import http.client
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0)
LOCK = threading.Lock()
PLAN = []  # rules, each with a "seen" counter
STATS = {"requests": 0, "faults": 0, "by_action": {}, "log": []}
MAX_LOG = 2000


def pick_rule(method, path, query):
    with LOCK:
        STATS["requests"] += 1
        for rule in PLAN:
            if rule.get("method") and rule["method"] != method:
                continue
            if rule.get("query") and rule["query"] not in query:
                continue
            if rule.get("path") and rule["path"] not in path:
                continue
            rule["seen"] = rule.get("seen", 0) + 1
            if rule["seen"] <= rule.get("skip", 0):
                continue
            count = rule.get("count", -1)
            if count != -1 and rule["seen"] - rule.get("skip", 0) > count:
                continue
            STATS["faults"] += 1
            action = rule["action"]
            STATS["by_action"][action] = STATS["by_action"].get(action, 0) + 1
            if len(STATS["log"]) < MAX_LOG:
                STATS["log"].append(f"{action} {method} {path}?{query}")
            return rule
        if len(STATS["log"]) < MAX_LOG:
            STATS["log"].append(f"pass {method} {path}?{query}")
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def send_raw(self, status, reason, headers, body, head_only, body_limit=None):
        lines = [f"HTTP/1.1 {status} {reason}"]
        for k, v in headers:
            lines.append(f"{k}: {v}")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if not head_only:
            self.wfile.write(body if body_limit is None else body[:body_limit])
        self.wfile.flush()

    def control(self, body):
        global PLAN
        if self.path == "/__fault/plan" and self.command == "POST":
            with LOCK:
                PLAN = json.loads(body or b"[]")
            out = b"{}"
        elif self.path == "/__fault/stats":
            with LOCK:
                out = json.dumps(STATS).encode()
        elif self.path == "/__fault/reset" and self.command == "POST":
            with LOCK:
                PLAN = []
                STATS.update({"requests": 0, "faults": 0, "by_action": {}, "log": []})
            out = b"{}"
        else:
            out = b'{"error": "unknown control path"}'
        self.send_raw(200, "OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))], out, False)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/__fault/"):
            return self.control(body)
        path, _, query = self.path.partition("?")
        rule = pick_rule(self.command, path, query)
        action = rule["action"] if rule else None
        if action == "status":
            code = rule.get("code", "SlowDown")
            doc = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                   f"<Message>injected by the fault proxy</Message></Error>").encode()
            status = rule.get("status", 503)
            return self.send_raw(status, "Injected", [("Content-Type", "application/xml"),
                                                      ("Content-Length", str(len(doc)))], doc, self.command == "HEAD")
        if action == "reset_before":
            return self.reset()
        if action == "corrupt_request" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        upstream = http.client.HTTPConnection(*UPSTREAM, timeout=120)
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in ("connection", "keep-alive", "proxy-connection"):
                upstream.putheader(k, v)
        upstream.endheaders(body if body else None)
        resp = upstream.getresponse()
        rbody = resp.read()
        headers = [(k, v) for k, v in resp.getheaders()
                   if k.lower() not in ("transfer-encoding", "connection", "keep-alive", "content-length")]
        upstream.close()
        head_only = self.command == "HEAD"
        if head_only:
            headers.append(("Content-Length", resp.getheader("Content-Length") or "0"))
        else:
            headers.append(("Content-Length", str(len(rbody))))
        if action == "reset_after":
            return self.reset()
        if action == "wrong_etag":
            headers = [(k, '"0123456789abcdef0123456789abcdef"') if k.lower() == "etag" else (k, v) for k, v in headers]
        if action == "slow":
            time.sleep(rule.get("delay_ms", 500) / 1000.0)
        if action in ("reset_mid_body", "truncate") and len(rbody) > 1:
            self.send_raw(resp.status, resp.reason, headers, rbody, head_only, body_limit=len(rbody) // 2)
            if action == "reset_mid_body":
                return self.reset()
            self.close_connection = True
            return
        if action == "slow_body" and not head_only:
            self.send_raw(resp.status, resp.reason, headers, b"", False)
            chunk = max(1, rule.get("chunk", 16))
            deadline = time.time() + rule.get("max_seconds", 30)
            for i in range(0, len(rbody), chunk):
                if time.time() > deadline:
                    break
                try:
                    self.wfile.write(rbody[i:i + chunk])
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True
                    return
                time.sleep(rule.get("delay_ms", 200) / 1000.0)
            self.close_connection = True
            return
        self.send_raw(resp.status, resp.reason, headers, rbody, head_only)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, OSError):
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that went away, or a connection we reset on purpose


def main():
    if UPSTREAM[1] == 0:
        print("usage: fault_proxy.py UPSTREAM_PORT", file=sys.stderr)
        sys.exit(2)
    server = Server(("127.0.0.1", 0), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
