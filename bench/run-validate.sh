#!/usr/bin/env bash
# Validation benchmark (called by bench/run.sh with BUILD DATA_DIR; prints markdown).
# gaggle validate OLD=table.parquet mapped by an identity spec vs NEW = a copy, against
# DuckDB computing, over both files in the same run: the count, a hash aggregate and
# per-column min/max/avg/approx_count_distinct/approximate quantiles.
set -euo pipefail
BUILD="${1:-build}"
DATA="${2:?usage: run-validate.sh BUILD DATA_DIR}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out"
ROWS="${BENCH_ROWS:-10000000}"
mkdir -p "$OUT"

OLD="$DATA/table.parquet"
NEW="$OUT/validate-new"
SPEC="$OUT/validate-identity.yaml"
[[ -s "$OLD" ]] || { echo "run-validate: $OLD missing" >&2; exit 1; }
rm -rf "$NEW"
mkdir -p "$NEW"
cp "$OLD" "$NEW/table.parquet"
printf 'name: bench-identity\nversion: 1\n' > "$SPEC"

# measure CMD... -> SECS, RSS_MB
measure() {
  /usr/bin/time -f "%e %M" -o "$OUT/.vtime" "$@" > "$OUT/.vstdout" 2> "$OUT/.vstderr" || {
    echo "run-validate: '$*' failed:" >&2; cat "$OUT/.vstderr" >&2; exit 1; }
  read -r SECS RSS_KB < "$OUT/.vtime"
  RSS_MB=$(( RSS_KB / 1024 ))
}

measure "$G" validate "$OLD" "$NEW" --spec "$SPEC"
g_secs=$SECS; g_rss=$RSS_MB
measure "$G" validate "$OLD" "$NEW" --spec "$SPEC" --serial
s_secs=$SECS; s_rss=$RSS_MB

stats_sql() {  # stats_sql FILE: one row of everything the validator computes
  local f="$1" q="[0.01, 0.25, 0.5, 0.75, 0.99]" cols=""
  for c in id value score; do
    cols+=", count($c), min($c), max($c), avg($c), approx_count_distinct($c), approx_quantile($c, $q)"
  done
  cols+=", count(ts), min(ts), max(ts), avg(epoch_us(ts)), approx_count_distinct(ts), approx_quantile(epoch_us(ts), $q)"
  cols+=", count(flag), avg(flag::INT)"
  for c in name category; do
    cols+=", count($c), min($c), max($c), approx_count_distinct($c)"
  done
  echo "SELECT count(*), sum(hash(id, value, name, ts, flag, score, category))$cols FROM read_parquet('$f')"
}
for threads in 1 2; do
  measure node "$ROOT/bench/duckdb_run.mjs" "$threads" "$(stats_sql "$OLD")" "$(stats_sql "$NEW/table.parquet")"
  eval "d_secs_$threads=\$(cat \"$OUT/.vstdout\"); d_wall_$threads=$SECS; d_rss_$threads=$RSS_MB"
done

rps() { awk -v r="$ROWS" -v s="$1" 'BEGIN{printf "%.2fM", 2*r/s/1e6}'; }
ratio() { awk -v g="$1" -v d="$2" 'BEGIN{printf "%.2f", d/g}'; }

echo ""
echo "## Validation: gaggle validate vs DuckDB count + hash aggregate + column statistics"
echo ""
echo "OLD = table.parquet ($ROWS rows) mapped by an identity spec, NEW = a copy; both sides read."
echo "rows/s counts the rows of both sides. DuckDB seconds exclude its start-up; gaggle's are the"
echo "whole command. Ratio = DuckDB seconds / gaggle seconds (above 1: gaggle is faster)."
echo ""
echo "| task | tool | threads | seconds | rows/s | peak RSS MB | gaggle/DuckDB (rows/s) |"
echo "|---|---|---|---|---|---|---|"
echo "| validate | gaggle | 2 (one per side) | $g_secs | $(rps "$g_secs") | $g_rss | $(ratio "$g_secs" "$d_secs_1") (vs 1 thread), $(ratio "$g_secs" "$d_secs_2") (vs 2) |"
echo "| validate | gaggle --serial | 1 | $s_secs | $(rps "$s_secs") | $s_rss | $(ratio "$s_secs" "$d_secs_1") (vs 1 thread) |"
echo "| count, hash, statistics | DuckDB | 1 | $d_secs_1 | $(rps "$d_secs_1") | $d_rss_1 | |"
echo "| count, hash, statistics | DuckDB | 2 | $d_secs_2 | $(rps "$d_secs_2") | $d_rss_2 | |"
if [[ -x "$ROOT/$BUILD/validate_bench" ]]; then
  echo ""
  echo "Where gaggle's time goes (bench/validate_bench.cc):"
  echo ""
  "$ROOT/$BUILD/validate_bench" "$OLD" "$NEW/table.parquet" "$SPEC"
fi
rm -rf "$NEW"
