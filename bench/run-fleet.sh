#!/usr/bin/env bash
# Fleet orchestration benchmark (called by bench/run.sh with BUILD DATA_DIR; prints markdown).
# 1. For each size in FLEET_TASKS (default "100000 1000000"): that many no-op tasks through
#    the whole state machine on SQLite, concurrency 4, vs the peer a user would script
#    instead: `xargs -P 4` starting a trivial process (/bin/true) per task. Then `gaggle logs`
#    of one dataset among the last size's tasks (its task log segments are found through
#    their indexes).
# 2. FLEET_PLANNED (default 1,000,000) planned tasks: time for a runner to start (lease,
#    recovery, load every task, first dispatch), its peak memory, and `gaggle status` latency.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
FB="$ROOT/$BUILD/fleet_bench"
OUT="$ROOT/bench/out"
TASKS="${FLEET_TASKS:-100000 1000000}"
PLANNED="${FLEET_PLANNED:-1000000}"
mkdir -p "$OUT"
[[ -x "$FB" ]] || { echo "run-fleet: $FB missing (cmake --build $BUILD --target fleet_bench)" >&2; exit 1; }

kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# One size: gaggle's no-op run and xargs, one table row each; sets LOGS_DIR to gaggle's logs.
fleet_rows() {  # fleet_rows N
  local n="$1" dir="$OUT/fleet-tasks-$1"
  "$FB" tasks "$n" "$dir" > "$OUT/.fleet-tasks"
  local g_secs g_tps g_us g_rss x_secs x_tps start end
  g_secs=$(kv run_seconds "$OUT/.fleet-tasks")
  g_tps=$(kv tasks_per_second "$OUT/.fleet-tasks")
  g_us=$(kv us_per_task "$OUT/.fleet-tasks")
  g_rss=$(kv peak_rss_mb "$OUT/.fleet-tasks")
  UPSERTS+=("$(kv upsert_seconds "$OUT/.fleet-tasks") s for $n")
  start=$(date +%s.%N)
  seq "$n" | xargs -P 4 -n 1 true
  end=$(date +%s.%N)
  x_secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
  x_tps=$(awk -v n="$n" -v s="$x_secs" 'BEGIN{printf "%.0f", n/s}')
  ROWS+=("$(printf '| gaggle run (no-op agent) | %s | 4 | %.2f | %.0f | %.1f | %s | %.2f |' "$n" "$g_secs" "$g_tps" \
    "$g_us" "$g_rss" "$(awk -v g="$g_tps" -v x="$x_tps" 'BEGIN{print g/x}')")")
  ROWS+=("| xargs -P 4 -n 1 true | $n | 4 | $x_secs | $x_tps | $(awk -v s="$x_secs" -v n="$n" 'BEGIN{printf "%.1f", s*1e6/n}') | | |")
  LOGS_DIR="$dir/logs"
  LOGS_TASKS="$n"
}

ROWS=()
UPSERTS=()
for n in $TASKS; do fleet_rows "$n"; done

# One dataset's task log among the last size's tasks (`gaggle logs`, a whole process): found
# by a binary search of each task log segment's index, not by reading the segments.
ltimes=()
for i in 1 2 3 4 5; do
  a=$(date +%s.%N)
  "$G" logs bench "ds.$(( i * 7919 % LOGS_TASKS ))" --logs "$LOGS_DIR" --tail 0 > /dev/null
  b=$(date +%s.%N)
  ltimes+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f", (b-a)*1000}')")
done
lmedian=$(printf '%s\n' "${ltimes[@]}" | sort -n | sed -n 3p)
segments=$(find "$LOGS_DIR/bench/task-log" -name 'segment-*.jsonl' | wc -l)
seg_mb=$(du -sm "$LOGS_DIR/bench/task-log" | cut -f1)

echo ""
echo "## Fleet orchestration: no-op tasks through the state machine vs xargs -P 4 ($TASKS)"
echo ""
echo "gaggle: every task goes pending -> running -> validating -> validated (the no-op"
echo "validation runs in the attempt's job), each move with its hash-chained event, the"
echo "moves of a loop turn in one SQLite transaction (group commit), plus the structured run"
echo "and task logs. xargs: one \`true\` process per task, no state at all. Planning the"
echo "tasks into the store (one transaction each run) is not included: ${UPSERTS[*]}."
echo ""
echo "| tool | tasks | concurrency | seconds | tasks/s | us/task | peak RSS MB | gaggle/xargs (tasks/s) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo ""
echo "Task logs of $LOGS_TASKS tasks: $segments shared segment file(s), $seg_mb MB with their indexes; no file per task."
echo "\`gaggle logs bench DATASET\` (one dataset of $LOGS_TASKS, whole process), median of 5: ${lmedian} ms (runs: ${ltimes[*]})."

"$FB" start "$PLANNED" "$OUT/fleet-start" > "$OUT/.fleet-start"
s_up=$(kv upsert_seconds "$OUT/.fleet-start")
s_start=$(kv start_seconds "$OUT/.fleet-start")
s_rss=$(kv peak_rss_mb "$OUT/.fleet-start")
times=()
for i in 1 2 3 4 5; do
  a=$(date +%s.%N)
  "$G" status bench --state "$OUT/fleet-start/gaggle.db" > /dev/null
  b=$(date +%s.%N)
  times+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f", (b-a)*1000}')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
/usr/bin/time -f "%M" -o "$OUT/.status-rss" "$G" status bench --state "$OUT/fleet-start/gaggle.db" > /dev/null
st_rss=$(( $(cat "$OUT/.status-rss") / 1024 ))
echo ""
echo "## Fleet at scale: $PLANNED planned tasks"
echo ""
echo "| what | figure |"
echo "|---|---|"
echo "| plan $PLANNED tasks into the state store (one transaction) | ${s_up} s |"
echo "| runner start: lease, recovery, load every task, first dispatch | ${s_start} s |"
echo "| runner peak RSS (holding every task) | ${s_rss} MB |"
echo "| \`gaggle status\` latency, median of 5 (whole process) | ${median} ms (runs: ${times[*]}) |"
echo "| \`gaggle status\` peak RSS | ${st_rss} MB |"
for n in $TASKS; do rm -rf "$OUT/fleet-tasks-$n"; done
