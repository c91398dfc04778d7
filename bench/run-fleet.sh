#!/usr/bin/env bash
# Fleet orchestration benchmark (called by bench/run.sh with BUILD DATA_DIR; prints markdown).
# 1. FLEET_TASKS (default 100,000) no-op tasks through the whole state machine on SQLite,
#    concurrency 4, vs the peer a user would script instead: `xargs -P 4` starting a trivial
#    process (/bin/true) per task. Then `gaggle logs` of one dataset among them (its task log
#    segments are found through their indexes).
# 2. FLEET_PLANNED (default 1,000,000) planned tasks: time for a runner to start (lease,
#    recovery, load every task, first dispatch), its peak memory, and `gaggle status` latency.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
FB="$ROOT/$BUILD/fleet_bench"
OUT="$ROOT/bench/out"
TASKS="${FLEET_TASKS:-100000}"
PLANNED="${FLEET_PLANNED:-1000000}"
mkdir -p "$OUT"
[[ -x "$FB" ]] || { echo "run-fleet: $FB missing (cmake --build $BUILD --target fleet_bench)" >&2; exit 1; }

kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

"$FB" tasks "$TASKS" "$OUT/fleet-tasks" > "$OUT/.fleet-tasks"
g_secs=$(kv run_seconds "$OUT/.fleet-tasks")
g_tps=$(kv tasks_per_second "$OUT/.fleet-tasks")
g_us=$(kv us_per_task "$OUT/.fleet-tasks")
g_rss=$(kv peak_rss_mb "$OUT/.fleet-tasks")
upsert=$(kv upsert_seconds "$OUT/.fleet-tasks")

# One dataset's task log among $TASKS (`gaggle logs`, a whole process): found by a binary
# search of each task log segment's index, not by reading the segments.
ltimes=()
for i in 1 2 3 4 5; do
  a=$(date +%s.%N)
  "$G" logs bench "ds.$(( i * 7919 % TASKS ))" --logs "$OUT/fleet-tasks/logs" --tail 0 > /dev/null
  b=$(date +%s.%N)
  ltimes+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f", (b-a)*1000}')")
done
lmedian=$(printf '%s\n' "${ltimes[@]}" | sort -n | sed -n 3p)
segments=$(find "$OUT/fleet-tasks/logs/bench/task-log" -name 'segment-*.jsonl' | wc -l)
seg_mb=$(du -sm "$OUT/fleet-tasks/logs/bench/task-log" | cut -f1)

start=$(date +%s.%N)
seq "$TASKS" | xargs -P 4 -n 1 true
end=$(date +%s.%N)
x_secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
x_tps=$(awk -v n="$TASKS" -v s="$x_secs" 'BEGIN{printf "%.0f", n/s}')

echo ""
echo "## Fleet orchestration: $TASKS no-op tasks through the state machine vs xargs -P 4"
echo ""
echo "gaggle: every task goes pending -> running -> validating -> validated (the no-op"
echo "validation runs in the attempt's job), each move with its hash-chained event, the"
echo "moves of a loop turn in one SQLite transaction (group commit), plus the structured run"
echo "and task logs. xargs: one \`true\` process per task, no state at all. Planning the"
echo "$TASKS tasks into the store (one transaction) took ${upsert} s and is not included."
echo ""
echo "| tool | concurrency | seconds | tasks/s | us/task | peak RSS MB | gaggle/xargs (tasks/s) |"
echo "|---|---|---|---|---|---|---|"
printf '| gaggle run (no-op agent) | 4 | %.2f | %.0f | %.1f | %s | %.2f |\n' "$g_secs" "$g_tps" "$g_us" "$g_rss" \
  "$(awk -v g="$g_tps" -v x="$x_tps" 'BEGIN{print g/x}')"
echo "| xargs -P 4 -n 1 true | 4 | $x_secs | $x_tps | $(awk -v s="$x_secs" -v n="$TASKS" 'BEGIN{printf "%.1f", s*1e6/n}') | | |"
echo ""
echo "Task logs: $segments shared segment file(s), $seg_mb MB with their indexes; no file per task."
echo "\`gaggle logs bench DATASET\` (one dataset of $TASKS, whole process), median of 5: ${lmedian} ms (runs: ${ltimes[*]})."

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
rm -rf "$OUT/fleet-tasks"
