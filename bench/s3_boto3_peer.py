#!/usr/bin/env python3
"""The peer of bench/s3_bench: boto3's managed transfers (upload_file/download_file with
their default multipart threshold and concurrency) against the same server, on the clock.

  s3_boto3_peer.py upload LOCAL BUCKET KEY | download BUCKET KEY LOCAL
Endpoint and keys come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Prints {"seconds": S}. Exits with status 3 when boto3 is not installed.
"""
import json
import os
import sys
import time

try:
    import boto3
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"s3_boto3_peer: {e}", file=sys.stderr)
    sys.exit(3)

s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ.get("AWS_REGION", "us-east-1"))
t0 = time.perf_counter()
if sys.argv[1] == "upload":
    s3.upload_file(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    s3.download_file(sys.argv[2], sys.argv[3], sys.argv[4])
print(json.dumps({"seconds": round(time.perf_counter() - t0, 3)}))
