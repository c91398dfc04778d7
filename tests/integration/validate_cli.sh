# gaggle validate: a dataset migrated by gaggle transform passes every check (exit 0);
# injected faults fail the right check (exit 1, named on stderr); DuckDB agrees on
# the counts and extremes the report states.
source "$ROOT/tests/lib.sh"
G="$1"
"$G" generate old.parquet --profile bench --rows 30000 --seed 5 -q --row-group-rows 8000
cat > spec.yaml <<'YAML'
name: bench-v2
version: 2
transform:
  rename: {value: amount}
  derive: {score2: "score * 2"}
  filter: "amount >= 0"
gates: {row_count_tolerance: 1%, checksum: true, max_dlq_fraction: 0.1%}
YAML
"$G" transform --spec spec.yaml --input old.parquet --output new > transform.log 2>&1 || { cat transform.log; fail "transform"; }

"$G" validate old.parquet new --spec spec.yaml --state state.db --dataset bench.old > report.txt || { cat report.txt; fail "clean migration should pass"; }
# --state keeps the result in the state store, whole.
/usr/bin/python3 -c '
import json, sqlite3
row = sqlite3.connect("state.db").execute("SELECT migration, dataset_id, passed, report FROM validations").fetchone()
assert row[:3] == ("bench-v2", "bench.old", 1), row[:3]
assert json.loads(row[3])["passed"] is True' || fail "validation result not stored in the state store"
grep -q "validation PASSED" report.txt || fail "report should say PASSED"
"$G" validate old.parquet new --spec spec.yaml --json --serial > report.json || fail "clean migration should pass (--json --serial)"
passed=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("report.json")).passed)')
expect_eq "$passed" true "json passed"
# The validator's counts and extremes agree with DuckDB's reading of the same files.
new_rows=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("report.json")).counts.new_rows)')
new_file=$(ls new/*.parquet | head -1)
duck_rows=$(duck_value "SELECT count(*) FROM read_parquet('new/*.parquet')")
expect_eq "$new_rows" "$duck_rows" "new rows"
filtered=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("report.json")).counts.filtered)')
duck_filtered=$(duck_value "SELECT count(*) FROM read_parquet('old.parquet') WHERE NOT (value >= 0) OR value IS NULL")
expect_eq "$filtered" "$duck_filtered" "filtered rows"
max_id=$(node -e 'const r=JSON.parse(require("fs").readFileSync("report.json"));console.log(r.new.columns.find(c=>c.name=="id").max)')
expect_eq "$max_id" "$(duck_value "SELECT max(id) FROM read_parquet('$new_file')")" "max id"
nulls=$(node -e 'const r=JSON.parse(require("fs").readFileSync("report.json"));console.log(r.new.columns.find(c=>c.name=="score").nulls)')
expect_eq "$nulls" "$(duck_value "SELECT count(*) - count(score) FROM read_parquet('$new_file')")" "null scores"

# Fault: the new data is another dataset (same shape, other rows) -> checksum fails, exit 1.
mkdir -p other
"$G" generate other/part.parquet --profile bench --rows 30000 --seed 6 -q
"$G" convert other/part.parquet other/x.parquet -q && rm other/part.parquet
set +e
"$G" validate old.parquet other --spec spec.yaml > bad.txt 2> bad.err
code=$?
set -e
expect_eq "$code" 1 "exit code of a failed validation"
grep -q "validation failed: .*row_count" bad.err || { cat bad.err; fail "stderr should name row_count"; }
grep -q "FAIL  checksum" bad.txt || { cat bad.txt; fail "report should show the checksum failure"; }

# Errors keep their own codes: a bad spec is a usage error (2), a missing input 1 with a message.
echo "name: x" > broken.yaml
set +e
"$G" validate old.parquet new --spec broken.yaml > /dev/null 2> broken.err
expect_eq "$?" 2 "exit code of an invalid spec"
"$G" validate missing.parquet new --spec spec.yaml > /dev/null 2> missing.err
expect_eq "$?" 1 "exit code of a missing input"
set -e
grep -q "old dataset" missing.err || { cat missing.err; fail "error should name the old dataset"; }
echo "validate_cli: ok"
