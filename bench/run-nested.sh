#!/usr/bin/env bash
# Nested-data benchmark (called by bench/run.sh with BUILD DATA_DIR; prints markdown).
# A table of BENCH_NESTED_ROWS rows (default BENCH_ROWS): id, items list<struct<int64,string,
# double>> of 0-8 elements, tags map<string,string>, device struct of 4 fields
# (`gaggle generate --profile nested_bench`), written as Avro and as Parquet (snappy).
# 1. Parquet -> Parquet (zstd): gaggle convert vs DuckDB COPY on the same file, 1 and 2 threads.
# 2. Avro -> Parquet (zstd): gaggle convert (DuckDB reads no Avro without an extension from the
#    internet, so this leg has no peer; its figure sits beside the Parquet leg's).
# 3. DuckDB reads gaggle's output back: row count and a sum over every leaf must match the source.
#    gaggle reads a top-level Avro record as dotted columns (docs/formats.md), so the Avro leg's
#    output has device.os, ... where the Parquet leg's has the struct device.
set -euo pipefail
BUILD="$1"; DATA="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out"
ROWS="${BENCH_NESTED_ROWS:-${BENCH_ROWS:-10000000}}"

timed() {  # timed CMD... -> SECS RSS_MB
  /usr/bin/time -f "%e %M" -o "$OUT/.ntime" "$@" > "$OUT/.nout" 2> "$OUT/.nerr" || { cat "$OUT/.nerr" >&2; exit 1; }
  read -r SECS RSS_KB < "$OUT/.ntime"; RSS_MB=$(( RSS_KB / 1024 ))
}
rate() { awk -v r="$ROWS" -v s="$1" 'BEGIN{printf "%.2fM", r/s/1e6}'; }
ratio() { awk -v g="$1" -v d="$2" 'BEGIN{printf "%.2f", d/g}'; }

pq="$DATA/nested-$ROWS.parquet"; avro="$DATA/nested-$ROWS.avro"
for f in "$pq" "$avro"; do
  [[ -s "$f" ]] || "$G" generate "$f" --profile nested_bench --rows "$ROWS" --seed 42 --compression snappy -q
done

timed "$G" convert "$pq" "$OUT/nested-gaggle-pq.parquet" --compression zstd -q --threads 1; gp=$SECS; gp_rss=$RSS_MB
timed "$G" convert "$pq" "$OUT/nested-gaggle-pq.parquet" --compression zstd -q --threads 2; gp2=$SECS; gp2_rss=$RSS_MB
timed "$G" convert "$avro" "$OUT/nested-gaggle-avro.parquet" --compression zstd -q --threads 1; ga=$SECS; ga_rss=$RSS_MB
timed "$G" convert "$avro" "$OUT/nested-gaggle-avro.parquet" --compression zstd -q --threads 2; ga2=$SECS; ga2_rss=$RSS_MB
copy="COPY (SELECT * FROM read_parquet('$pq')) TO '$OUT/nested-duckdb.parquet' (FORMAT parquet, COMPRESSION zstd)"
timed node "$ROOT/bench/duckdb_run.mjs" 1 "$copy"; d1=$SECS; d1_rss=$RSS_MB
timed node "$ROOT/bench/duckdb_run.mjs" 2 "$copy"; d2=$SECS; d2_rss=$RSS_MB

# The outputs must hold the source's values: DuckDB aggregates every leaf of each file.
leaves() {  # leaves FILE struct|dotted: a row of counts and sums over every leaf, as JSON
  local os=device.os version=device.version build=device.build score=device.score
  [[ $2 == dotted ]] && { os='"device.os"'; version='"device.version"'; build='"device.build"'; score='"device.score"'; }
  node "$ROOT/tests/oracle/query.mjs" "SELECT count(*) AS n, sum(id) AS id, sum(len(items)) AS items,
    count(items) AS items_set, sum(list_sum(list_transform(items, x -> x.item_id))) AS item_id,
    round(sum(list_sum(list_transform(items, x -> x.amount))), 2) AS amount,
    sum(list_sum(list_transform(items, x -> length(x.name)))) AS name,
    sum(cardinality(tags)) AS tags, sum(length(array_to_string(map_values(tags), ','))) AS tag_values,
    sum(length(array_to_string(map_keys(tags), ','))) AS tag_keys, count($os) AS device,
    sum($build) AS build, round(sum($score), 6) AS score, sum(length($os || $version)) AS os
    FROM read_parquet('$1')"
}
{
  leaves "$pq" struct
  leaves "$OUT/nested-gaggle-pq.parquet" struct
  leaves "$OUT/nested-gaggle-avro.parquet" dotted
} > "$OUT/.nested-leaves"
if [[ $(sort -u "$OUT/.nested-leaves" | wc -l) -ne 1 ]]; then
  echo "run-nested: gaggle's output does not hold the source's values:" >&2; cat "$OUT/.nested-leaves" >&2; exit 1
fi

echo ""
echo "## Nested data: list<struct>, map and struct columns to Parquet (zstd), $ROWS rows"
echo ""
echo "Source: \`gaggle generate --profile nested_bench\` (snappy). DuckDB read every output back"
echo "and found the source's values at every leaf (row count and sums over each leaf)."
echo ""
echo "| conversion | tool | threads | seconds | rows/s | peak RSS MB | gaggle/DuckDB (rows/s) |"
echo "|---|---|---|---|---|---|---|"
echo "| parquet -> parquet | gaggle | 1 | $gp | $(rate "$gp") | $gp_rss | $(ratio "$gp" "$d1") vs 1 thread |"
echo "| parquet -> parquet | gaggle | 2 | $gp2 | $(rate "$gp2") | $gp2_rss | $(ratio "$gp2" "$d2") vs 2 threads |"
echo "| parquet -> parquet | DuckDB | 1 | $d1 | $(rate "$d1") | $d1_rss | |"
echo "| parquet -> parquet | DuckDB | 2 | $d2 | $(rate "$d2") | $d2_rss | |"
echo "| avro -> parquet | gaggle | 1 | $ga | $(rate "$ga") | $ga_rss | (no peer reads Avro here) |"
echo "| avro -> parquet | gaggle | 2 | $ga2 | $(rate "$ga2") | $ga2_rss | |"
