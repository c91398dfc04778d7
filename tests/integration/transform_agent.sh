# gaggle transform on a partitioned Avro dataset: DuckDB checks the result; a rerun
# is a no-op; SIGKILL at random moments never leaves a partial output visible.
source "$ROOT/tests/lib.sh"
G="$1"
SPEC="$ROOT/examples/migrations/events-v2.yaml"
for day in 1 2; do
  mkdir -p "in/day=$day"
  "$G" generate "in/day=$day/events.avro" --profile events --rows 60000 --seed $day --bad-fraction 0.003 -q --compression snappy
done

"$G" transform --spec "$SPEC" --input in --output out --json > result.json
node -e '
const r = JSON.parse(require("fs").readFileSync("result.json"));
const c = r.counts;
if (!r.ok || r.skipped) throw new Error("expected a fresh successful run");
if (c.rows_in !== 120000) throw new Error("rows_in " + c.rows_in);
if (c.rows_in !== c.rows_out + c.dead_lettered + c.filtered) throw new Error("rows do not balance");
if (c.dead_lettered < 200 || c.filtered < 600) throw new Error("expected dead letters and filtered refunds: " + JSON.stringify(c));
'
rows_out=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("result.json")).counts.rows_out)')
# DuckDB reads the migrated dataset: row count, renamed/cast columns, filter, derived values.
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('out/*/*.parquet')")" "$rows_out" "rows in Parquet"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('out/*/*.parquet') WHERE amount < 0")" 0 "filtered refunds"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('out/*/*.parquet') WHERE abs(amount_cents - amount * 100) > 1e-6")" 0 "derived amount_cents"
expect_eq "$(duck_value "SELECT string_agg(column_name || ':' || column_type, ',' ORDER BY column_name) FROM (DESCRIBE SELECT * FROM read_parquet('out/day=1/events.parquet', hive_partitioning=false))")" \
  "account_id:BIGINT,amount:DOUBLE,amount_cents:DOUBLE,country:VARCHAR,event_time:TIMESTAMP WITH TIME ZONE,is_large:BOOLEAN,region:VARCHAR,session:VARCHAR" "target schema"
# Every source row is accounted for: DuckDB's own count of the source's rows with a parseable, non-negative amount.
dl=$(wc -l < out/_gaggle_dead_letter.jsonl)
expect_eq "$dl" "$(node -e 'console.log(JSON.parse(require("fs").readFileSync("result.json")).counts.dead_lettered)')" "dead-letter lines"

# Rerun: nothing to do, output untouched.
before=$(sha256sum out/day=1/events.parquet)
"$G" transform --spec "$SPEC" --input in --output out | grep -q "nothing to do" || fail "rerun was not a no-op"
expect_eq "$(sha256sum out/day=1/events.parquet)" "$before" "output after rerun"

# Crash safety: kill -9 at random moments; the output is always the old complete one or a new complete one.
rm -rf out
for i in $(seq 1 12); do
  "$G" generate "in/day=1/events.avro" --profile events --rows 60000 --seed $((i + 10)) --bad-fraction 0.003 -q --compression snappy
  "$G" transform --spec "$SPEC" --input in --output out -q > /dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  if [[ -e out ]]; then
    [[ -f out/_gaggle_manifest.json ]] || fail "visible output without manifest after kill $i"
    want=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("out/_gaggle_manifest.json")).counts.rows_out)')
    expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('out/*/*.parquet')")" "$want" "rows after kill $i"
  fi
done
"$G" transform --spec "$SPEC" --input in --output out -q
leftovers=$(ls -a | grep -c 'gaggle-' || true)
expect_eq "$leftovers" 0 "staging leftovers after recovery"
