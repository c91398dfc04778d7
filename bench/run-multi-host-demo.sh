#!/usr/bin/env bash
# Many hosts with real work (issue 16): the demo estate (300 datasets of Avro, the events
# v1 -> v2 Parquet transform, the final gate's downstream verification) migrated by a
# coordinator on PostgreSQL whose agents run in 1, 2 and 4 `gaggle worker` processes of 2
# slots each, against the single-host run (agents in process, SQLite) in the same run, all
# at concurrency 4. On this 2-core machine every worker shares the same two cores: the
# table shows what the queue costs, not what more hosts would gain. Called by bench/run.sh
# with BUILD DATA_DIR; prints markdown. MULTI_HOST_DEMO_SCALE (default 0.25: ~330 MB of
# Avro) sizes the estate; MULTI_HOST_DEMO_WORKERS (default "1 2 4").
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
SCALE="${MULTI_HOST_DEMO_SCALE:-0.25}"
COUNTS="${MULTI_HOST_DEMO_WORKERS:-1 2 4}"
OUT="$(mktemp -d /tmp/gaggle-bench-mhd-XXXXXX)"
[[ -x "$G" ]] || { echo "run-multi-host-demo: build gaggle first" >&2; exit 1; }
source "$ROOT/tests/postgres_lib.sh"
start_postgres
pids=()
cleanup() {
  [[ ${#pids[@]} -gt 0 ]] && kill -TERM "${pids[@]}" 2> /dev/null
  stop_postgres
  rm -rf "$OUT" || true
}
trap cleanup EXIT
E="$OUT/estate"
"$G" generate-estate "$E" --datasets 300 --size-scale "$SCALE" -q
bytes=$(du -sb "$E/lake/v1" | cut -f1)

# One run to its end (a planted fault may pause it: --exit-when-paused); prints wall seconds
# and the number of validated datasets. The targets are removed first, so every run does
# the whole work.
run() {  # run STATE LOGS [ARGS...]
  local state="$1" logs="$2"
  shift 2
  rm -rf "$E/lake/v2"
  local t0 t1
  t0=$(date +%s.%N)
  "$G" run "$E/migration.yaml" --catalog "$E/catalog" --state "$state" --logs "$logs" --concurrency 4 -q \
    --exit-when-paused "$@" > "$logs.out" 2>&1 || true
  t1=$(date +%s.%N)
  local validated
  validated=$("$G" status events-v2 --state "$state" --json | /usr/bin/python3 -c \
    'import json,sys; s=json.load(sys.stdin); print(sum(st["counts"].get("validated",0) for st in s["stages"]))')
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') $validated"
}

read -r one_wall one_valid < <(run "$OUT/one.db" "$OUT/one-logs")
echo "## Many hosts with real work: the demo estate through worker processes"
echo ""
echo "300 datasets, $(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB of Avro (scale $SCALE), events v1 -> v2 Parquet with"
echo "the final gate's verification, concurrency 4. Workers have 2 slots each and share this"
echo "machine's 2 cores with the coordinator and PostgreSQL. The peer is the single-host run (agents"
echo "in process, SQLite) in this run: ${one_wall} s, $one_valid datasets validated."
echo ""
echo "| workers | slots | wall s | vs single host | validated | load |"
echo "|---|---|---|---|---|---|"
for w in $COUNTS; do
  db="demo$w"
  psql "$PG_ADMIN" -q -c "CREATE DATABASE $db" > /dev/null
  url="postgresql://gaggle@127.0.0.1:$PG_PORT/$db"
  # The plan first (it creates the store), then the workers, then the coordinator.
  "$G" plan "$E/migration.yaml" --catalog "$E/catalog" --state "$url" > /dev/null 2>&1
  pids=()
  for i in $(seq 1 "$w"); do
    "$G" worker --state "$url" --slots 2 --name "w$i" --artifacts "$OUT/w$w-logs" > "$OUT/w$w.$i.log" 2>&1 &
    pids+=($!)
  done
  load=$(cut -d' ' -f1 /proc/loadavg)
  read -r wall valid < <(run "$url" "$OUT/many$w-logs" --local-workers 0)
  kill -TERM "${pids[@]}" 2> /dev/null || true
  wait "${pids[@]}" 2> /dev/null || true
  pids=()
  echo "| $w | $((2 * w)) | $wall | $(awk -v a="$one_wall" -v b="$wall" 'BEGIN{printf "%.2fx", a/b}') | $valid | $load |"
done
echo ""
echo "(vs single host: the single-host wall time over this row's; above 1 is faster.)"
