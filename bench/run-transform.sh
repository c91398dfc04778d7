#!/usr/bin/env bash
# Transform benchmark (called by bench/run.sh with BUILD DATA_DIR; prints markdown).
# 1. gaggle transform vs DuckDB COPY (SELECT renames, casts, derive WHERE filter) on the bench table.
# 2. Peak RSS of gaggle transform on a CSV input of more than 2 GB (BENCH_BIG_ROWS rows, default 36M, 2.1 GB;
#    0 leaves it out).
set -euo pipefail
BUILD="$1"; DATA="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out"
ROWS="${BENCH_ROWS:-10000000}"
BIG_ROWS="${BENCH_BIG_ROWS:-36000000}"

timed() {  # timed CMD... -> SECS RSS_MB
  /usr/bin/time -f "%e %M" -o "$OUT/.ttime" "$@" > "$OUT/.tout" 2> "$OUT/.terr" || { cat "$OUT/.terr" >&2; exit 1; }
  read -r SECS RSS_KB < "$OUT/.ttime"; RSS_MB=$(( RSS_KB / 1024 ))
}

in="$DATA/table.parquet"
rm -rf "$OUT/transform-out"
timed "$G" transform --spec "$ROOT/bench/transform-bench.yaml" --input "$in" --output "$OUT/transform-out" -q --threads 1
g1_secs=$SECS; g1_rss=$RSS_MB
rm -rf "$OUT/transform-out"
timed "$G" transform --spec "$ROOT/bench/transform-bench.yaml" --input "$in" --output "$OUT/transform-out" -q --threads 2
g_secs=$SECS; g_rss=$RSS_MB
sql="COPY (SELECT id AS row_id, value AS amount, name AS label, ts, CAST(flag AS INTEGER) AS flag,
  CAST(score AS DOUBLE) AS score, category, value * 2 AS amount_x2 FROM read_parquet('$in') WHERE value >= 0)
  TO '$OUT/duckdb-transform.parquet' (FORMAT parquet, COMPRESSION zstd)"
timed node "$ROOT/bench/duckdb_run.mjs" 1 "$sql"; d1=$SECS; d1_rss=$RSS_MB
timed node "$ROOT/bench/duckdb_run.mjs" 2 "$sql"; d2=$SECS; d2_rss=$RSS_MB
rate() { awk -v r="$ROWS" -v s="$1" 'BEGIN{printf "%.2fM", r/s/1e6}'; }
echo ""
echo "## Transform (3 renames, 2 casts, 1 derive, a filter), Parquet -> Parquet zstd, $ROWS rows"
echo ""
echo "gaggle's time includes fingerprinting the input (a content hash of every byte), the"
echo "manifest's sha256 of the output and the atomic commit; DuckDB's is the COPY alone."
echo ""
echo "| tool | threads | seconds | rows/s | peak RSS MB | gaggle/DuckDB (rows/s) |"
echo "|---|---|---|---|---|---|"
echo "| gaggle transform | 1 | $g1_secs | $(rate "$g1_secs") | $g1_rss | $(awk -v g="$g1_secs" -v d="$d1" 'BEGIN{printf "%.2f", d/g}') (vs 1 thread) |"
echo "| gaggle transform | 2 | $g_secs | $(rate "$g_secs") | $g_rss | $(awk -v g="$g_secs" -v d="$d2" 'BEGIN{printf "%.2f", d/g}') (vs 2 threads) |"
echo "| DuckDB COPY | 1 | $d1 | $(rate "$d1") | $d1_rss | |"
echo "| DuckDB COPY | 2 | $d2 | $(rate "$d2") | $d2_rss | |"

echo ""
echo "Transform done $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)."
[[ "$BIG_ROWS" -gt 0 ]] || exit 0  # BENCH_BIG_ROWS=0: no bounded-memory run
big="$OUT/big-events-$BIG_ROWS.csv"
if [[ ! -s "$big" ]]; then
  "$G" generate "$big" --profile events --rows "$BIG_ROWS" --seed 5 -q
fi
big_bytes=$(stat -c %s "$big")
rm -rf "$OUT/big-out"
timed "$G" transform --spec "$ROOT/bench/transform-memory.yaml" --input "$big" --output "$OUT/big-out" -q
echo ""
echo "## Bounded memory: gaggle transform on a $(awk -v b="$big_bytes" 'BEGIN{printf "%.2f", b/1e9}') GB CSV ($BIG_ROWS rows)"
echo ""
echo "| input GB | seconds | rows/s | peak RSS MB | goal |"
echo "|---|---|---|---|---|"
echo "| $(awk -v b="$big_bytes" 'BEGIN{printf "%.2f", b/1e9}') | $SECS | $(awk -v r="$BIG_ROWS" -v s="$SECS" 'BEGIN{printf "%.2fM", r/s/1e6}') | $RSS_MB | < 300 MB |"
rm -rf "$OUT/big-out" "$OUT/transform-out"
