#!/usr/bin/env bash
# Installs gaggle's Backstage packages' dependencies (pinned in package-lock.json) into
# plugins/backstage/node_modules with `npm ci`, once per lock file: the lock file's hash
# is kept in node_modules/.gaggle-lock-hash, as tests/browser/setup.sh does.
#
# The install (about 780 MB in 105,000 files) also goes to a cache outside the clone,
# $GAGGLE_CACHE_DIR (default ~/.cache/gaggle), keyed by the same hash: a fresh clone (CI)
# takes it in seconds instead of spending two to three minutes in `npm ci`. It takes it
# as hard links (a full copy when the cache is on another file system): creating 105,000
# inodes costs ext4 close to a minute after a large delete, links cost a few seconds.
# Nothing here writes into node_modules (tsc runs with --noEmit, jest caches in /tmp);
# npm replaces files rather than rewriting them. The workspace links inside are
# relative, so they point into the clone that holds the links.
set -euo pipefail
cd "$(dirname "$0")"
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
[[ -f node_modules/.gaggle-lock-hash && "$(cat node_modules/.gaggle-lock-hash)" == "$hash" ]] && exit 0

cache="${GAGGLE_CACHE_DIR:-${HOME:-/root}/.cache/gaggle}/backstage-node-modules-$hash"
if [[ -f "$cache/.gaggle-lock-hash" ]]; then
  rm -rf node_modules node_modules.partial
  cp -al "$cache" node_modules.partial 2>/dev/null || { rm -rf node_modules.partial; cp -a "$cache" node_modules.partial; }
  mv node_modules.partial node_modules
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$hash" > node_modules/.gaggle-lock-hash
# Into the cache under a temporary name, then renamed: a copy cut short is never used.
mkdir -p "$(dirname "$cache")"
tmp="$cache.partial.$$"
if { cp -al node_modules "$tmp" 2>/dev/null || cp -a node_modules "$tmp" 2>/dev/null; } && mv -T "$tmp" "$cache" 2>/dev/null; then
  # Older installs of this cache (other lock files) go.
  find "$(dirname "$cache")" -maxdepth 1 -name 'backstage-node-modules-*' ! -name "$(basename "$cache")" \
    -exec rm -rf {} + 2>/dev/null || true
else
  rm -rf "$tmp"  # no room or a race with another clone: only the cache is missed
fi
