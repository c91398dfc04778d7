#!/usr/bin/env bash
# Installs playwright-core (pinned in package-lock.json) into tests/browser/node_modules,
# once per lock file. It drives Debian's chromium (scripts/install-deps.sh); playwright's
# own browser download is never used.
set -euo pipefail
cd "$(dirname "$0")"
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.gaggle-lock-hash || "$(cat node_modules/.gaggle-lock-hash)" != "$hash" ]]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" > node_modules/.gaggle-lock-hash
fi
