#!/usr/bin/env bash
# The control plane under load (issue 14): `gaggle serve` on a state holding one
# migration of 1,000,000 datasets ("big") while another ("live") runs, measured with
# wrk from Debian: p99 of a filtered page of 100 tasks, migration status requests/s,
# and SSE delivery latency (serve_bench sse). Each request is also sent to the peer
# (serve_peer_bench: the same library and SQL without gaggle's layers) and the ratio printed.
# BENCH_SERVE_DATASETS shrinks the state; BENCH_SERVE_SECONDS sets each wrk run.
# Usage: bench/run-serve.sh [BUILD_DIR]
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
B="$ROOT/$BUILD/serve_bench"
N="${BENCH_SERVE_DATASETS:-1000000}"
SECS="${BENCH_SERVE_SECONDS:-15}"
OUT="$ROOT/bench/out/serve-$N"
mkdir -p "$OUT"
command -v wrk > /dev/null || { echo "run-serve: wrk is not installed (scripts/install-deps.sh installs it)"; exit 1; }

# The state is built once (about a minute per million datasets) and copied for each run.
if [[ ! -s "$OUT/base.db" ]]; then
  rm -f "$OUT"/base.db*
  "$B" setup "$OUT/base.db" "$N" | tee "$OUT/setup.txt"
  sqlite3 "$OUT/base.db" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null 2>&1 || true
fi
rm -f "$OUT"/run.db*
cp "$OUT/base.db" "$OUT/run.db"
DB="$OUT/run.db"
T=$("$G" token create --role viewer --name bench --state "$DB" 2> /dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$G" serve --state "$DB" --listen "127.0.0.1:$PORT" --threads 256 > "$OUT/serve.log" 2>&1 &
SERVE=$!
CHURN=""
PEER=""
cleanup() {
  kill "$SERVE" 2> /dev/null || true
  if [[ -n "$CHURN" ]]; then kill "$CHURN" 2> /dev/null || true; fi
  if [[ -n "$PEER" ]]; then kill "$PEER" 2> /dev/null || true; fi
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "$URL/healthz" > /dev/null && break; sleep 0.1; done

# "live" runs for the whole measurement.
"$B" churn "$DB" $((6 * SECS + 30)) > "$OUT/churn.txt" &
CHURN=$!
sleep 1

# The peer (bench/serve_peer_bench.cc): the same HTTP library and SQL with none of
# gaggle's layers, serving gaggle's own status document from memory.
PEER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PEER_URL="http://127.0.0.1:$PEER_PORT"
curl -sf -H "Authorization: Bearer $T" "$URL/api/v1/migrations/big" > "$OUT/status-body.json"
"$ROOT/$BUILD/serve_peer_bench" "$DB" "$PEER_PORT" 256 "$OUT/status-body.json" > "$OUT/peer.log" 2>&1 &
PEER=$!
for _ in $(seq 100); do curl -sf "$PEER_URL/status" > /dev/null && break; sleep 0.1; done

wrk_run() {  # wrk_run FILE URL: wrk for SECS seconds; sets RPS, P99, NON2XX
  wrk -t2 -c16 -d"${SECS}s" --latency -H "Authorization: Bearer $T" "$2" > "$1"
  RPS=$(awk '/Requests\/sec/ {print $2}' "$1")
  P99=$(awk '$1 == "99%" {print $2}' "$1")
  NON2XX=$(awk '/Non-2xx/ {print $NF}' "$1")
}
load() {  # load NAME GAGGLE_PATH PEER_PATH: gaggle, then the peer, then the ratio
  local name="$1" g_rps g_p99 g_bad
  wrk_run "$OUT/wrk-gaggle-${name// /_}.txt" "$URL$2"
  g_rps=$RPS g_p99=$P99 g_bad=$NON2XX
  wrk_run "$OUT/wrk-peer-${name// /_}.txt" "$PEER_URL$3"
  printf '| %s | %s | %s | %s | %s | %s |%s\n' "$name" "$g_rps" "$g_p99" "$RPS" "$P99" \
    "$(awk -v a="$g_rps" -v b="$RPS" 'BEGIN{printf "%.2f", a/b}')" "${g_bad:+ NON-2XX: $g_bad}${NON2XX:+ peer NON-2XX: $NON2XX}"
}
echo "== gaggle serve vs its peer, migration 'big' of $N datasets while 'live' runs (wrk -t2 -c16 -d${SECS}s --latency)"
echo "| request | gaggle req/s | gaggle p99 | peer req/s | peer p99 | gaggle/peer req/s |"
echo "|---|---|---|---|---|---|"
load "filtered page (state=needs-attention, 100)" "/api/v1/migrations/big/tasks?state=needs-attention&limit=100" \
  "/tasks?migration=big&state=needs-attention&limit=100"
load "filtered page (stage 2, deep cursor, 100)" "/api/v1/migrations/big/tasks?stage=2&state=pending&limit=100&after=2:600000" \
  "/tasks?migration=big&stage=2&state=pending&limit=100&after=2:600000"
load "migration status" "/api/v1/migrations/big" "/status"
kill "$PEER" 2> /dev/null || true
PEER=""
"$B" sse "$URL" "$T" "$DB" 200 | tee "$OUT/sse.txt"
kill "$CHURN" 2> /dev/null || true
wait "$CHURN" 2> /dev/null || true
CHURN=""
cat "$OUT/churn.txt"
