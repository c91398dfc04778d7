# gaggle reads Parquet written by DuckDB (v1 and v2 pages' encodings, several codecs, many row
# groups): converting it to Parquet and to JSON lines keeps every row, as DuckDB sees them.
source "$ROOT/tests/lib.sh"
G="$1"
SRC="SELECT i::BIGINT AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE (hash(i) % 100000)::DOUBLE / 8 END AS value,
       'name-' || (i % 1000)::VARCHAR AS name, i % 3 = 0 AS flag, DATE '2000-01-01' + (i % 9000)::INTEGER AS day,
       make_timestamp(946684800000000 + i * 1000003) AS ts, (i * 1.25)::DECIMAL(18,4) AS amount
     FROM range(60000) t(i)"
COLS="id, value, name, flag, day, epoch_us(ts) AS ts, amount"
for v in "v1 COMPRESSION snappy" "v2 COMPRESSION zstd, PARQUET_VERSION v2" "gz COMPRESSION gzip, ROW_GROUP_SIZE 4096"; do
  name="${v%% *}"
  opts="${v#* }"
  duck "COPY ($SRC) TO 'duck_$name.parquet' (FORMAT parquet, $opts)" > /dev/null
  "$G" convert "duck_$name.parquet" "ours_$name.parquet" -q --batch-rows 5000
  "$G" convert "duck_$name.parquet" "ours_$name.jsonl" -q
  n=$(duck_value "SELECT count(*) FROM read_parquet('ours_$name.parquet')")
  expect_eq "$n" 60000 "$name row count"
  diff=$(duck_value "SELECT count(*) FROM (SELECT $COLS FROM read_parquet('duck_$name.parquet')
                     EXCEPT ALL SELECT $COLS FROM read_parquet('ours_$name.parquet'))")
  expect_eq "$diff" 0 "$name rows differing from DuckDB's file"
  lines=$(wc -l < "ours_$name.jsonl")
  expect_eq "$lines" 60000 "$name JSON lines"
  "$G" inspect "duck_$name.parquet" --json > "inspect_$name.json"
  rows=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).num_rows)' "inspect_$name.json")
  expect_eq "$rows" 60000 "$name inspect num_rows"
done
# A damaged file is refused with a message naming it, and nothing is written.
head -c 30000 duck_v1.parquet > broken.parquet
if "$G" convert broken.parquet out.jsonl -q 2> err.txt; then fail "a truncated file converted"; fi
grep -q "broken.parquet" err.txt || fail "error does not name the file: $(cat err.txt)"
[[ ! -e out.jsonl ]] || fail "out.jsonl written from a broken file"
echo "parquet_read_duckdb: ok"
