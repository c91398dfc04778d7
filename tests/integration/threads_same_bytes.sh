# convert and transform with several threads write the bytes one thread writes (issue 19):
# every input format to Parquet, row groups ending inside batches, and a transform with dead
# letters and a filter. DuckDB checks that the rows are the source's.
source "$ROOT/tests/lib.sh"
G="$1"
"$G" generate src.parquet --profile bench --rows 60000 --seed 11 -q --row-group-rows 25000
"$G" convert src.parquet src.csv -q
"$G" convert src.parquet src.jsonl -q
"$G" convert src.parquet src.avro -q
for kind in parquet csv jsonl avro; do
  for threads in 1 2 3; do
    "$G" convert "src.$kind" "out-$kind-$threads.parquet" -q --threads "$threads" \
      --row-group-rows 7000 --batch-rows 3000 --compression zstd
  done
  cmp "out-$kind-1.parquet" "out-$kind-2.parquet" || fail "$kind: 2 threads wrote other bytes than 1"
  cmp "out-$kind-1.parquet" "out-$kind-3.parquet" || fail "$kind: 3 threads wrote other bytes than 1"
  n=$(duck_value "SELECT count(*) FROM (SELECT id, value, name, flag, score, category FROM read_parquet('src.parquet') EXCEPT ALL SELECT id, value, name, flag, score, category FROM read_parquet('out-$kind-2.parquet'))")
  expect_eq "$n" 0 "$kind: rows of the 2-thread output differing from the source"
done
rg=$(duck_value "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('out-csv-2.parquet')")
expect_eq "$rg" 9 "row groups of 7,000 rows in 60,000"

# A transform with casts that fail on some rows (dead letters) and a filter.
mkdir -p in
awk -F, 'NR == 1 { print; next } { if (NR % 97 == 0) $2 = "not-a-number"; print }' OFS=, src.csv > in/data.csv
cat > spec.yaml <<'YAML'
name: threads-same-bytes
version: 2
transform:
  rename: {id: row_id, value: amount}
  cast: {amount: double, flag: int32}
  derive: {amount_x2: "amount * 2"}
  filter: "amount >= 0"
  source_schema: {id: int64, value: string, name: string, ts: timestamp, flag: bool, score: int64, category: string}
target: {format: parquet, compression: zstd, row_group_rows: 7000}
dead_letter: {max_fraction: 0.5}
YAML
for threads in 1 2 4; do
  "$G" transform --spec spec.yaml --input in --output "t$threads" --threads "$threads" --json > "t$threads.json"
done
for threads in 2 4; do
  cmp t1/data.parquet "t$threads/data.parquet" || fail "transform: $threads threads wrote other bytes than 1"
  cmp t1/_gaggle_dead_letter.jsonl "t$threads/_gaggle_dead_letter.jsonl" || fail "transform: dead letters differ"
  for key in content_checksum counts; do
    a=$(node -e "console.log(JSON.stringify(JSON.parse(require('fs').readFileSync('t1.json')).$key))")
    b=$(node -e "console.log(JSON.stringify(JSON.parse(require('fs').readFileSync('t$threads.json')).$key))")
    expect_eq "$b" "$a" "transform $threads threads: $key"
  done
done
dead=$(node -e "console.log(JSON.parse(require('fs').readFileSync('t1.json')).counts.dead_lettered)")
[[ "$dead" -gt 100 ]] || fail "expected dead letters, got $dead"
echo "threads_same_bytes: ok"
