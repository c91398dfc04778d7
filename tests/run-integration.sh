#!/usr/bin/env bash
# Integration tests: drive the real `gaggle` binary and check its outputs with
# independent readers (DuckDB via npm, python3-avro). Each test is a script
# tests/integration/*.sh taking the gaggle binary as $1; it exits non-zero on failure.
set -uo pipefail
GAGGLE="$(realpath "${1:-build/gaggle}")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export GAGGLE ROOT

bash "$ROOT/tests/oracle/setup.sh" || { echo "integration: oracle setup failed"; exit 1; }

passed=0
failed=0
failures=()
for t in "$ROOT"/tests/integration/*.sh; do
  [[ -e "$t" ]] || continue
  name="$(basename "$t" .sh)"
  work="$(mktemp -d /tmp/gaggle-it-XXXXXX)"
  start=$(date +%s)
  if (cd "$work" && WORK="$work" bash "$t" "$GAGGLE") >"$work/log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $name ($(( $(date +%s) - start ))s)"
    rm -rf "$work"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL $name ($(( $(date +%s) - start ))s), log:"
    tail -n 40 "$work/log" | sed 's/^/    /'
  fi
done
echo "integration: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
