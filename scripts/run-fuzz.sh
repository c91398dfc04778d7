#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD for SECONDS each, on its corpus in
# fuzz/corpus/<target>/ (new interesting inputs are kept in a scratch copy, not
# the repo). Fails if any target finds a crash, leak or timeout.
set -euo pipefail
BUILD="${1:-build-fuzz}"
SECONDS_EACH="${2:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARTIFACTS="$ROOT/fuzz/artifacts"
mkdir -p "$ARTIFACTS"
status=0
for bin in "$ROOT/$BUILD"/*_fuzz; do
  [[ -x "$bin" ]] || continue
  name="$(basename "$bin")"
  seeds="$ROOT/fuzz/corpus/$name"
  scratch="$(mktemp -d /tmp/gaggle-fuzz-$name-XXXXXX)"
  [[ -d "$seeds" ]] && cp -r "$seeds"/. "$scratch"/ 2>/dev/null || true
  echo "fuzz: $name for ${SECONDS_EACH}s"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$ARTIFACTS/$name-" "$scratch" > "$scratch/log" 2>&1; then
    echo "fuzz: $name FAILED; artifacts in $ARTIFACTS"
    tail -n 30 "$scratch/log"
    status=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$scratch/log" | tail -n 1 || true
  fi
  rm -rf "$scratch"
done
exit $status
