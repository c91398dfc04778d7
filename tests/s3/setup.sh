#!/usr/bin/env bash
# Installs s3rver (an S3-protocol server that checks Signature V4) from npm into
# tests/s3/node_modules, once. The version is pinned in package.json and package-lock.json.
# moto's server, the second S3 server of the tests, comes from Python (present on the
# development image, not installable from Debian): tests that need it skip without it.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -f node_modules/@20minutes/s3rver/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
