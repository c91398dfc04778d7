# Helpers sourced by integration tests. $GAGGLE is the binary, $ROOT the repo.
set -euo pipefail

# duck "SQL": prints DuckDB's result rows as JSON lines.
duck() { node "$ROOT/tests/oracle/query.mjs" "$1"; }

# duck_value "SQL": prints the single value of a one-row, one-column result.
duck_value() { duck "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s.split("\n")[0]);console.log(Object.values(r)[0])})'; }

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_eq() {  # expect_eq ACTUAL EXPECTED WHAT
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
}

# start_webhook_receiver LOG: a local webhook receiver on a free port that writes every POST
# body as one line of LOG. Sets $hook_port; the receiver stops when the test exits.
start_webhook_receiver() {
  hook_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  /usr/bin/python3 - "$hook_port" > "$1" 2> "$1.err" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        sys.stdout.write(body.decode() + "\n"); sys.stdout.flush()
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
  hook_pid=$!
  trap 'kill $hook_pid 2>/dev/null || true' EXIT
}
