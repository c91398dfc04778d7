#!/usr/bin/env bash
# Installs gaggle's Backstage packages' dependencies (pinned in package-lock.json) into
# plugins/backstage/node_modules with `npm ci`, once per lock file: the lock file's hash
# is kept in node_modules/.gaggle-lock-hash, as tests/browser/setup.sh does.
set -euo pipefail
cd "$(dirname "$0")"
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.gaggle-lock-hash || "$(cat node_modules/.gaggle-lock-hash)" != "$hash" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" > node_modules/.gaggle-lock-hash
fi
