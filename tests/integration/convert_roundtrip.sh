# gaggle convert between every format; DuckDB checks that every Parquet file we write
# holds exactly the rows of the source it read independently.
source "$ROOT/tests/lib.sh"
G="$1"
"$G" generate src.parquet --profile bench --rows 50000 --seed 9 -q --row-group-rows 20000
"$G" convert src.parquet a.jsonl -q
"$G" convert src.parquet a.csv -q
"$G" convert a.jsonl from-jsonl.parquet -q --compression snappy
"$G" convert a.csv from-csv.parquet -q --compression gzip --row-group-rows 7000
"$G" convert src.parquet from-parquet.parquet -q --compression none

for f in from-jsonl from-csv from-parquet; do
  n=$(duck_value "SELECT count(*) FROM read_parquet('$f.parquet')")
  expect_eq "$n" 50000 "$f row count"
  # Same multiset of rows as the source, as DuckDB reads both.
  diff=$(duck_value "SELECT count(*) FROM (SELECT id, value, name, ts, flag, score, category FROM read_parquet('src.parquet') EXCEPT ALL SELECT id, value, name, ts, flag, score, category FROM read_parquet('$f.parquet'))")
  expect_eq "$diff" 0 "$f rows differing from the source"
done
# Row groups as requested, and nulls preserved.
rg=$(duck_value "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('from-csv.parquet')")
expect_eq "$rg" 8 "row groups in from-csv.parquet"
nulls=$(duck_value "SELECT count(*) FROM read_parquet('from-jsonl.parquet') WHERE score IS NULL")
src_nulls=$(duck_value "SELECT count(*) FROM read_parquet('src.parquet') WHERE score IS NULL")
expect_eq "$nulls" "$src_nulls" "null scores"
[[ "$src_nulls" -gt 10000 ]] || fail "expected many null scores, got $src_nulls"
# inspect agrees with DuckDB on the row count.
"$G" inspect from-csv.parquet --json > inspect.json
rows=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("inspect.json")).num_rows)')
expect_eq "$rows" 50000 "inspect num_rows"
