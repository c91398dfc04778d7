#!/usr/bin/env python3
"""Signs requests with botocore, the independent reference for gaggle's SigV4 signer.

Reads a JSON array of requests on stdin:
  {"method", "url", "headers": {name: value}, "body": text, "access_key", "secret_key",
   "token", "region", "timestamp": "YYYYMMDDTHHMMSSZ", "presign_expires": seconds or 0}
and prints a JSON array with, for each, {"authorization", "content_sha256"} (header
signing, S3SigV4Auth) or {"url"} (a presigned URL, S3SigV4QueryAuth).
Exits with status 3 when botocore is not installed.
"""
import datetime
import json
import sys

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"botocore_sign: {e}", file=sys.stderr)
    sys.exit(3)


def sign(r):
    when = datetime.datetime.strptime(r["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda: when
    creds = Credentials(r["access_key"], r["secret_key"], r.get("token") or None)
    request = AWSRequest(method=r["method"], url=r["url"], headers=dict(r["headers"]), data=r["body"].encode())
    if r.get("presign_expires"):
        botocore.auth.S3SigV4QueryAuth(creds, "s3", r["region"], expires=r["presign_expires"]).add_auth(request)
        return {"url": request.url}
    botocore.auth.S3SigV4Auth(creds, "s3", r["region"]).add_auth(request)
    return {"authorization": request.headers["Authorization"], "content_sha256": request.headers["X-Amz-Content-SHA256"]}


print(json.dumps([sign(r) for r in json.load(sys.stdin)]))
