#!/usr/bin/env bash
# Builds the dashboard (web/) into OUT_DIR with esbuild from npm. The npm install is
# cached in web/node_modules and redone only when package-lock.json changes (its hash
# is kept in node_modules/.gaggle-lock-hash), so repeated builds and CI stay fast.
# Usage: scripts/build-dashboard.sh OUT_DIR
set -euo pipefail
out=${1:?usage: build-dashboard.sh OUT_DIR}
web="$(cd "$(dirname "$0")/../web" && pwd)"
lock_hash=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$web/node_modules/.gaggle-lock-hash" || "$(cat "$web/node_modules/.gaggle-lock-hash")" != "$lock_hash" ]]; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$web/node_modules/.gaggle-lock-hash"
fi
node "$web/build.mjs" "$out"
