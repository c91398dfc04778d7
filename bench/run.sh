#!/usr/bin/env bash
# make bench: gaggle against its peers, in the same run, on this machine.
# Prints rows/s, MB/s, peak RSS and the ratio gaggle/peer, and writes the table to
# bench/out/results.md. BENCH_ROWS (default 10,000,000) sets the table size.
# BENCH_SECTIONS (default: all) runs only the sections named: "formats", "avro", and the
# further drivers by their names ("transform" for run-transform.sh, "validate", ...).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out"
ROWS="${BENCH_ROWS:-10000000}"
mkdir -p "$OUT"
bash "$ROOT/tests/oracle/setup.sh"
RESULTS="$OUT/results.md"
: > "$RESULTS"

note() { echo "$*" | tee -a "$RESULTS"; }
SECTIONS="${BENCH_SECTIONS:-all}"
wanted() { [[ "$SECTIONS" == all || " $SECTIONS " == *" $1 "* ]]; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# measure NAME CMD... -> sets SECS, CPU (user + system seconds) and RSS_MB (peak resident set)
measure() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M %U %S" -o "$OUT/.time" "$@" > "$OUT/.stdout" 2> "$OUT/.stderr" || {
    echo "bench: '$name' failed:"; cat "$OUT/.stderr"; exit 1; }
  read -r SECS RSS_KB USER_S SYS_S < "$OUT/.time"
  CPU=$(awk -v u="$USER_S" -v s="$SYS_S" 'BEGIN{printf "%.2f", u+s}')
  RSS_MB=$(( RSS_KB / 1024 ))
}

gen() {  # gen FILE [args]
  local file="$1"; shift
  if [[ ! -s "$file" ]]; then
    echo "bench: generating $(basename "$file") ($ROWS rows)"
    "$G" generate "$file" --profile bench --rows "$ROWS" --seed 42 -q "$@"
  fi
}

DATA="$OUT/data-$ROWS"
mkdir -p "$DATA"
gen "$DATA/table.csv"
gen "$DATA/table.jsonl"
gen "$DATA/table.parquet" --compression snappy
gen "$DATA/table.avro" --compression snappy

note "# gaggle benchmarks ($ROWS rows, $(nproc) cores, $(date -u +%Y-%m-%d))"
note ""
note "Started $(date -u +%H:%M:%S) UTC, load average $(load) (1, 5, 15 minutes)."
note ""
if wanted formats; then
note "## Format conversion to Parquet (zstd): gaggle convert vs DuckDB COPY"
note ""
note "| conversion | tool | threads | seconds | rows/s | input MB/s | peak RSS MB | output MB | gaggle/DuckDB (rows/s) |"
note "|---|---|---|---|---|---|---|---|---|"

row() {  # row LABEL TOOL THREADS SECS RSS INPUT_BYTES RATIO OUTPUT_FILE
  local rps mbps out_mb
  rps=$(awk -v r="$ROWS" -v s="$4" 'BEGIN{printf "%.2fM", r/s/1e6}')
  mbps=$(awk -v b="$6" -v s="$4" 'BEGIN{printf "%.1f", b/s/1e6}')
  out_mb=$(awk -v b="$(stat -c %s "$8")" 'BEGIN{printf "%.2f", b/1e6}')
  note "| $1 | $2 | $3 | $4 | $rps | $mbps | $5 | $out_mb | $7 |"
}

for kind in csv jsonl parquet; do
  in="$DATA/table.$kind"
  bytes=$(stat -c %s "$in")
  case $kind in
    csv) src="read_csv('$in')" ;;
    jsonl) src="read_json('$in', format='newline_delimited')" ;;
    parquet) src="read_parquet('$in')" ;;
  esac
  measure "gaggle $kind" "$G" convert "$in" "$OUT/gaggle-from-$kind.parquet" --compression zstd -q --threads 1
  g_secs=$SECS; g_rss=$RSS_MB
  measure "gaggle $kind" "$G" convert "$in" "$OUT/gaggle-from-$kind.parquet" --compression zstd -q --threads 2
  g2_secs=$SECS; g2_rss=$RSS_MB
  for threads in 1 2; do
    measure "duckdb $kind" node "$ROOT/bench/duckdb_run.mjs" "$threads" \
      "COPY (SELECT * FROM $src) TO '$OUT/duckdb-from-$kind.parquet' (FORMAT parquet, COMPRESSION zstd)"
    eval "d_secs_$threads=$SECS; d_rss_$threads=$RSS_MB"
  done
  ratio1=$(awk -v g="$g_secs" -v d="$d_secs_1" 'BEGIN{printf "%.2f", d/g}')
  ratio22=$(awk -v g="$g2_secs" -v d="$d_secs_2" 'BEGIN{printf "%.2f", d/g}')
  # Both write zstd at their default level; the output sizes are of the last run of each.
  row "$kind -> parquet" gaggle 1 "$g_secs" "$g_rss" "$bytes" "$ratio1 (vs 1 thread)" "$OUT/gaggle-from-$kind.parquet"
  row "$kind -> parquet" gaggle 2 "$g2_secs" "$g2_rss" "$bytes" "$ratio22 (vs 2 threads)" "$OUT/gaggle-from-$kind.parquet"
  row "$kind -> parquet" DuckDB 1 "$d_secs_1" "$d_rss_1" "$bytes" "" "$OUT/duckdb-from-$kind.parquet"
  row "$kind -> parquet" DuckDB 2 "$d_secs_2" "$d_rss_2" "$bytes" "" "$OUT/duckdb-from-$kind.parquet"
done
note ""
note "Formats done $(date -u +%H:%M:%S) UTC, load average $(load)."
fi
if wanted avro; then
note ""
note "## Avro -> Parquet: gaggle convert vs the bare avro-c decode loop (the read floor)"
note ""
note "gaggle/floor below 1.43 is issue 13's goal; CPU s is user + system time of the whole command."
note ""
in="$DATA/table.avro"
bytes=$(stat -c %s "$in")
measure "gaggle avro" "$G" convert "$in" "$OUT/gaggle-from-avro.parquet" --compression zstd -q --threads 1
g_secs=$SECS; g_rss=$RSS_MB; g_cpu=$CPU
measure "gaggle avro" "$G" convert "$in" "$OUT/gaggle-from-avro.parquet" --compression zstd -q --threads 2
g2_secs=$SECS; g2_rss=$RSS_MB; g2_cpu=$CPU
if [[ -x "$ROOT/$BUILD/avro_decode_floor_bench" ]]; then
  measure "avro-c floor" "$ROOT/$BUILD/avro_decode_floor_bench" "$in"
  note "| conversion | tool | threads | seconds | CPU s | rows/s | input MB/s | peak RSS MB | gaggle/floor (seconds) |"
  note "|---|---|---|---|---|---|---|---|---|"
  floor_row() {  # floor_row THREADS SECS CPU RSS
    note "| avro -> parquet | gaggle | $1 | $2 | $3 | $(awk -v r="$ROWS" -v s="$2" 'BEGIN{printf "%.2fM", r/s/1e6}') | $(awk -v b="$bytes" -v s="$2" 'BEGIN{printf "%.1f", b/s/1e6}') | $4 | $(awk -v g="$2" -v d="$SECS" 'BEGIN{printf "%.2f", g/d}') |"
  }
  floor_row 1 "$g_secs" "$g_cpu" "$g_rss"
  floor_row 2 "$g2_secs" "$g2_cpu" "$g2_rss"
  note "| avro decode only | avro-c generic loop | 1 | $SECS | $CPU | $(awk -v r="$ROWS" -v s="$SECS" 'BEGIN{printf "%.2fM", r/s/1e6}') | $(awk -v b="$bytes" -v s="$SECS" 'BEGIN{printf "%.1f", b/s/1e6}') | $RSS_MB | |"
fi

fi

# Further sections (transform, catalog scale, orchestration) are appended by their own drivers.
for extra in "$ROOT"/bench/run-*.sh; do
  [[ -e "$extra" ]] || continue
  name=$(basename "$extra" .sh); wanted "${name#run-}" || continue
  BENCH_ROWS="$ROWS" bash "$extra" "$BUILD" "$DATA" | tee -a "$RESULTS"
done
note ""
note "Finished $(date -u +%H:%M:%S) UTC, load average $(load)."
echo "bench: results in $RESULTS"
