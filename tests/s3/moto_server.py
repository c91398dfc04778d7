#!/usr/bin/env python3
"""Runs moto's S3 server on 127.0.0.1 (a free port).

Usage: moto_server.py [--auth]
With --auth moto checks Signature V4 (and IAM permissions) once INITIAL_NO_AUTH_ACTION_COUNT
requests have been served: the first three create an IAM user, its policy and its access key,
and every request after them must be signed with that key. moto's check re-signs the URL
after its web framework has decoded it, so requests whose path or query holds
percent-encoded characters other than %20 (keys with '+', '(' or non-ASCII, prefixes with
'/') are refused even when correctly signed, for boto3 as for gaggle: the tests use --auth
only where keys and queries avoid them, and s3rver checks every signature.
Prints one JSON line {"port": N, "access_key": ..., "secret_key": ...} and serves until
standard input closes. Exits with status 3 when moto (or boto3) is not installed.
"""
import json
import logging
import os
import sys

AUTH = "--auth" in sys.argv[1:]
if AUTH:
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"  # read by moto.settings at import

try:
    import boto3
    from moto.server import ThreadedMotoServer
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"moto_server: {e}", file=sys.stderr)
    sys.exit(3)


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on stderr
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    if not AUTH:
        print(json.dumps({"port": port, "access_key": "MOTOTESTKEY", "secret_key": "moto-test-secret"}), flush=True)
        sys.stdin.read()
        server.stop()
        return
    iam = boto3.client(
        "iam",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="bootstrap",
        aws_secret_access_key="bootstrap",
    )
    iam.create_user(UserName="gaggle")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="gaggle", PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="gaggle")["AccessKey"]
    print(json.dumps({"port": port, "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}), flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
