#!/usr/bin/env python3
"""Reads objects back with boto3, the independent client of gaggle's S3 tests.

Usage: boto3_read.py ENDPOINT BUCKET KEY... (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
Prints {"KEY": {"sha256": ..., "size": N, "listed": true/false}, ...}: each object's bytes
as boto3's download_fileobj (multipart-aware) reads them, and whether ListObjectsV2 shows it.
Exits with status 3 when boto3 is not installed.
"""
import hashlib
import io
import json
import sys

try:
    import boto3
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"boto3_read: {e}", file=sys.stderr)
    sys.exit(3)

endpoint, bucket, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
listed = set()
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    listed.update(o["Key"] for o in page.get("Contents", []))
out = {}
for key in keys:
    buf = io.BytesIO()
    s3.download_fileobj(bucket, key, buf)
    data = buf.getvalue()
    out[key] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "listed": key in listed}
print(json.dumps(out))
