#!/usr/bin/env bash
# Downstream query verification benchmark (called by bench/run.sh with BUILD DATA_DIR;
# prints markdown). One migrated dataset (events CSV -> Parquet with renames, casts, a drop
# and a filter) and one consumer with the six demo-estate queries. gaggle verify --sample 0
# loads the columns the old side needs into DuckDB (the new Parquet is read in place), runs the original queries
# on the old data and the rewritten ones on the new, and compares the answers. The peer is
# DuckDB running the same twelve queries straight on the files (the old side through the
# same row filter), without comparing anything: the floor of answering them at all.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out/verify"
ROWS="${BENCH_VERIFY_ROWS:-2000000}"
PY=/usr/bin/python3
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"

measure() {  # measure CMD... -> SECS, RSS_MB
  /usr/bin/time -f "%e %M" -o .time "$@" > .stdout 2> .stderr || {
    echo "run-verify: '$*' failed:" >&2; cat .stderr >&2; exit 1; }
  read -r SECS RSS_KB < .time
  RSS_MB=$(( RSS_KB / 1024 ))
}

"$G" generate events.csv --profile events --rows "$ROWS" --seed 5 -q
$PY - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
queries = [
    "SELECT country, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS revenue FROM events GROUP BY country",
    "SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS day, COUNT(DISTINCT user_id) AS active_users FROM events GROUP BY 1",
    "SELECT country, AVG(CAST(amount AS DOUBLE)) AS avg_amount, MAX(CAST(amount AS DOUBLE)) AS max_amount FROM events WHERE session IS NOT NULL GROUP BY country",
    "SELECT user_id, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS spend FROM events WHERE country IN ('DE', 'FR', 'NL') GROUP BY user_id HAVING COUNT(*) >= 2",
    "SELECT country, COUNT(DISTINCT session) AS sessions FROM events WHERE CAST(amount AS DOUBLE) >= 100 GROUP BY country",
    "SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS hour, country, COUNT(*) AS events FROM events WHERE CAST(amount AS DOUBLE) > 0 GROUP BY 1, 2",
]
open(f"{out}/catalog.yaml", "w").write(
    "gaggle_catalog: 1\ndatasets:\n"
    f"  - id: events\n    uri: file://{out}/events.csv\n    format: csv\n"
    "consumers:\n  - id: revenue-dashboard\n    upstream: [events]\n"
    f"    queries: {json.dumps(queries)}\n")
open(f"{out}/queries.json", "w").write(json.dumps(queries))
PY
cat > spec.yaml <<EOF
name: verify-bench
version: 2
agent: {builtin: transform}
select: {match: {id: events}}
transform:
  rename: {user_id: account_id, ts: event_time}
  cast: {amount: double, event_time: timestamp}
  drop: [legacy_flag]
  filter: "amount >= 0"
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://$OUT/v2/{id}/"}
rollout: {stages: [100%]}
verify: {enabled: false}
EOF
"$G" run spec.yaml --catalog catalog.yaml --state gaggle.db -q > run.out 2>&1 || { cat run.out >&2; exit 1; }

measure "$G" verify verify-bench --state gaggle.db --sample 0 --json
g_secs=$SECS; g_rss=$RSS_MB
$PY - <<'PY' > checks.txt
import json
r = json.load(open(".stdout"))
assert r["passed"] and r["sampled"] == 6, r["summary"]
print(r["summary"])
json.dump([c["rewritten"] for c in r["checks"]], open("rewritten.json", "w"))
PY

# The peer: the same queries, original on the CSV (through the migration's row filter) and
# rewritten on the Parquet output. Results are fetched, not compared.
old_view="CREATE VIEW events AS SELECT * FROM read_csv('$OUT/events.csv', all_varchar = true) WHERE TRY_CAST(amount AS DOUBLE) >= 0"
new_view="CREATE VIEW events_v2 AS SELECT * FROM read_parquet('$OUT/v2/events/*.parquet')"
mapfile -t old_q < <($PY -c 'import json; [print(q) for q in json.load(open("queries.json"))]')
mapfile -t new_q < <($PY -c 'import json; [print(q.replace("FROM events", "FROM events_v2")) for q in json.load(open("rewritten.json"))]')
for threads in 1 2; do
  measure node "$ROOT/bench/duckdb_run.mjs" "$threads" "$old_view" "$new_view" "${old_q[@]}" "${new_q[@]}"
  eval "d_secs_$threads=\$(cat .stdout); d_rss_$threads=$RSS_MB"
done
ratio() { awk -v g="$1" -v d="$2" 'BEGIN{printf "%.2f", d/g}'; }

echo ""
echo "## Downstream query verification: gaggle verify vs DuckDB answering the same queries"
echo ""
echo "One dataset ($ROWS rows of events, CSV -> Parquet with renames, casts, a drop and a filter),"
echo "one consumer with the six demo-estate queries: $(cat checks.txt)."
echo "gaggle loads the needed columns of both sides into SQLite, runs 6 original + 6 rewritten"
echo "queries and compares the answers; DuckDB only runs the 12 queries on the files. Ratio ="
echo "DuckDB seconds / gaggle seconds (above 1: gaggle is faster)."
echo ""
echo "| task | tool | threads | seconds | peak RSS MB | gaggle/DuckDB |"
echo "|---|---|---|---|---|---|"
echo "| verify 6 queries (both sides) | gaggle | 1 | $g_secs | $g_rss | $(ratio "$g_secs" "$d_secs_1") (vs 1 thread), $(ratio "$g_secs" "$d_secs_2") (vs 2) |"
echo "| 12 queries on the files | DuckDB | 1 | $d_secs_1 | $d_rss_1 | |"
echo "| 12 queries on the files | DuckDB | 2 | $d_secs_2 | $d_rss_2 | |"
cd "$ROOT"
[[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$OUT"
