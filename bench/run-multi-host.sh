#!/usr/bin/env bash
# Many hosts (issue 16): no-op tasks through a coordinator and 1, 4, 8 and 16 worker
# processes sharing a private PostgreSQL 15 cluster, against the single-host SQLite path
# (fleet_bench tasks) in the same run. Every task is an attempt and a validation (two work
# items), as in fleet_bench. Called by bench/run.sh with BUILD DATA_DIR; prints markdown.
# MULTI_HOST_TASKS (default 20,000) tasks per row; MULTI_HOST_WORKERS (default "1 4 8 16");
# the coordinator's concurrency, 64, is shared out as worker slots (64 / workers each), so
# every row has the same work in flight and only the number of processes changes.
# MULTI_HOST_RUNS (default 3) rounds, interleaved (1 4 8 16, 1 4 8 16, ...; the SQLite peer
# once per round): each row is the median round, with the range beside it. Single runs of
# the same row on this 2-core machine spread by up to 2x.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MB="$ROOT/$BUILD/multi_host_bench"
FB="$ROOT/$BUILD/fleet_bench"
N="${MULTI_HOST_TASKS:-20000}"
COUNTS="${MULTI_HOST_WORKERS:-1 4 8 16}"
RUNS="${MULTI_HOST_RUNS:-3}"
CONCURRENCY=64
OUT="$(mktemp -d /tmp/gaggle-bench-mh-XXXXXX)"
[[ -x "$MB" && -x "$FB" ]] || { echo "run-multi-host: build multi_host_bench and fleet_bench first" >&2; exit 1; }
fail() { echo "run-multi-host: $*" >&2; exit 1; }
source "$ROOT/tests/postgres_lib.sh"
start_postgres
trap 'stop_postgres; rm -rf "$OUT" || true' EXIT
kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# One row of one round: prints "tasks/s claim_p50 claim_p99 load claims/task empty-claim-share".
run_row() {  # run_row WORKERS ROUND
  local w=$1 r=$2 db="mh$1_$2" url slots load tps pids=()
  psql "$PG_ADMIN" -q -c "CREATE DATABASE $db" > /dev/null
  url="postgresql://gaggle@127.0.0.1:$PG_PORT/$db"
  "$MB" init "$url" || fail "cannot create the store at $url"
  slots=$(( CONCURRENCY / w > 0 ? CONCURRENCY / w : 1 ))
  for i in $(seq 1 "$w"); do
    "$MB" work "$url" "$slots" > "$OUT/w$w.$r.$i" 2> "$OUT/w$w.$r.$i.err" &
    pids+=($!)
  done
  load=$(cut -d' ' -f1 /proc/loadavg)
  timeout 600 "$MB" coordinate "$url" "$N" "$CONCURRENCY" > "$OUT/.c$w.$r" 2> "$OUT/.c$w.$r.err" \
    || fail "coordinator: $(cat "$OUT/.c$w.$r.err")"
  kill -TERM "${pids[@]}"
  wait "${pids[@]}" || true
  psql "$PG_ADMIN" -q -c "DROP DATABASE $db" > /dev/null
  tps=$(kv tasks_per_second "$OUT/.c$w.$r")
  cat "$OUT"/w"$w.$r".* 2>/dev/null | awk -v t="$tps" -v l="$load" -v n_tasks="$N" \
    '$1=="claim_p50_ms"{a+=$2;n++} $1=="claim_p99_ms"{if($2>m)m=$2} $1=="claims"{c+=$2} $1=="empty_claims"{e+=$2}
     END{printf "%.0f %.1f %d %s %.2f %.0f%%\n", t, n?a/n:0, m, l, c/n_tasks, c?100*e/c:0}'
}
# The median line of a file of "tasks/s ..." lines, by tasks/s; then "min-max".
median_row() { sort -n "$1" | sed -n "$(( ($(wc -l < "$1") + 1) / 2 ))p"; }
range() { sort -n "$1" | awk 'NR==1{a=$1} {b=$1} END{printf "%s-%s", a, b}'; }
for r in $(seq 1 "$RUNS"); do
  "$FB" tasks "$N" "$OUT/sqlite$r" > "$OUT/.sqlite$r"
  kv tasks_per_second "$OUT/.sqlite$r" | awk '{printf "%.0f\n", $1}' >> "$OUT/sqlite.rows"
  rm -rf "$OUT/sqlite$r"
  for w in $COUNTS; do run_row "$w" "$r" >> "$OUT/rows$w"; done
done
sqlite_tps=$(median_row "$OUT/sqlite.rows")
echo "## Many hosts: no-op tasks through the PostgreSQL work queue"
echo ""
echo "$N tasks per row, each an attempt and its validation (one work item: the worker validates"
echo "right after the attempt), concurrency $CONCURRENCY shared out as worker slots (64 / workers each);"
echo "worker processes run on this 2-core machine beside the coordinator and PostgreSQL (fsync off)."
echo "Claim latency: enqueue to claim, over every item of every worker. Each row is the median of"
echo "$RUNS interleaved rounds (the range of tasks/s beside it); load is that round's, at its start."
echo "The peer is the single-host path on SQLite (\`fleet_bench tasks $N\`, concurrency 4) in the"
echo "same rounds: median $sqlite_tps tasks/s ($(range "$OUT/sqlite.rows"))."
echo ""
echo "| workers | slots each | tasks/s (median) | range | vs single-host SQLite | claim p50 ms | claim p99 ms | claims per task | claims that found nothing | load |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for w in $COUNTS; do
  read -r tps p50 p99 load claims empty < <(median_row "$OUT/rows$w")
  slots=$(( CONCURRENCY / w > 0 ? CONCURRENCY / w : 1 ))
  echo "| $w | $slots | $tps | $(range "$OUT/rows$w") | $(awk -v a="$tps" -v b="$sqlite_tps" 'BEGIN{printf "%.2fx", a/b}') | $p50 | $p99 | $claims | $empty | $load |"
done
echo ""
echo "(claim p50 is the mean of the workers' medians; p99 the worst worker's. Claims count the"
echo "workers' claim statements, over all workers of the row's median round.)"

# A million planned tasks on PostgreSQL: planning them, a coordinator's start and memory (a
# process that never held the plan: `fleet_bench resume`), and `gaggle status` latency.
PLANNED="${MULTI_HOST_PLANNED:-1000000}"
G="$ROOT/$BUILD/gaggle"
psql "$PG_ADMIN" -q -c "CREATE DATABASE big" > /dev/null
url="postgresql://gaggle@127.0.0.1:$PG_PORT/big"
"$FB" start "$PLANNED" "$url" > "$OUT/.start" || fail "fleet_bench start on PostgreSQL"
/usr/bin/time -f "%M" -o "$OUT/.resume-rss" "$FB" resume "$PLANNED" "$url" > "$OUT/.resume" \
  || fail "fleet_bench resume on PostgreSQL"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e" -a -o "$OUT/.status-times" "$G" status bench --state "$url" > /dev/null \
    || fail "gaggle status on PostgreSQL"
done
status_ms=$(sort -n "$OUT/.status-times" | sed -n 3p | awk '{printf "%.0f", $1 * 1000}')
echo ""
echo "## Many hosts: a $PLANNED-task migration on PostgreSQL"
echo ""
echo "| plan (upsert) s | coordinator start s | coordinator peak RSS MB | \`gaggle status\` ms (median of 5, whole process) |"
echo "|---|---|---|---|"
echo "| $(printf '%.1f' "$(kv upsert_seconds "$OUT/.start")") | $(printf '%.1f' "$(kv start_seconds "$OUT/.resume")") | $(( $(cat "$OUT/.resume-rss") / 1024 )) | $status_ms |"
echo ""
echo "(Goals: coordinator memory under 1 GB, status under 100 ms. The coordinator's start loads"
echo "every task and dispatches the first; its RSS is measured in a process that did not plan.)"
