#!/usr/bin/env bash
# Integration tests: drive the real `gaggle` binary and check its outputs with
# independent readers (DuckDB via npm, python3-avro). Each test is a script
# tests/integration/*.sh taking the gaggle binary as $1; it exits non-zero on failure.
# The scripts are independent (each works in its own temporary directory and starts its
# own servers on free ports), so INTEGRATION_JOBS of them (default 2) run at once; the
# slowest (fault and kill loops) start first. A failure prints the last 40 lines of its log.
set -uo pipefail
GAGGLE="$(realpath "${1:-build/gaggle}")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JOBS="${INTEGRATION_JOBS:-2}"
export GAGGLE ROOT

bash "$ROOT/tests/oracle/setup.sh" || { echo "integration: oracle setup failed"; exit 1; }

results="$(mktemp -d /tmp/gaggle-it-results-XXXXXX)"
export results

run_one() {  # run_one SCRIPT: runs it in a fresh directory, prints PASS/FAIL, records the outcome
  local t="$1" name work start
  name="$(basename "$t" .sh)"
  work="$(mktemp -d /tmp/gaggle-it-XXXXXX)"
  start=$(date +%s)
  if (cd "$work" && WORK="$work" bash "$t" "$GAGGLE") >"$work/log" 2>&1; then
    echo "PASS $name ($(( $(date +%s) - start ))s)"
    touch "$results/pass.$name"
    rm -rf "$work"
  else
    { echo "FAIL $name ($(( $(date +%s) - start ))s), log:"; tail -n 40 "$work/log" | sed 's/^/    /'; } 
    touch "$results/fail.$name"
  fi
}
export -f run_one

# Slow scripts first, slowest first (about 210, 200, 50, 40, 40, 40, 30, 20, 20 and 15 s on
# 2 cores), so that they overlap the quick ones instead of running last alone.
slow=(s3_estate backstage_plugins never_lose_data_gc_kill s3_fleet_crash fleet_crash many_hosts_faults
  never_lose_data_hangs transform_agent s3_after_migration dashboard_browser)
{
  for name in "${slow[@]}"; do echo "$ROOT/tests/integration/$name.sh"; done
  ls "$ROOT"/tests/integration/*.sh | grep -vE "/($(IFS='|'; echo "${slow[*]}"))\.sh$"
} | xargs -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}

passed=$(find "$results" -name 'pass.*' | wc -l)
failed=$(find "$results" -name 'fail.*' | wc -l)
if [[ $failed -gt 0 ]]; then
  echo "integration: failed: $(cd "$results" && ls fail.* | sed 's/^fail\.//' | tr '\n' ' ')"
fi
rm -rf "$results"
echo "integration: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
