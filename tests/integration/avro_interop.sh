# Avro through the gaggle binary, checked by independent readers: python3-avro writes
# and reads Avro (tests/oracle/write_avro.py), DuckDB reads the Parquet we produce.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3
ORACLE="$ROOT/tests/oracle/write_avro.py"
$PY -c 'import avro' 2>/dev/null || fail "python3-avro is missing for $PY (apt-get install python3-avro)"

# 1. Files written by python3-avro (null, deflate, snappy; unions, enum, fixed, logical
#    types, nested records, many blocks): inspect counts them, and an Avro -> Avro convert
#    keeps every value as python3-avro reads it.
$PY "$ORACLE" write "$PWD"
for codec in null deflate snappy; do
  "$G" inspect "py_$codec.avro" --json > "inspect_$codec.json"
  rows=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["num_rows"])' "inspect_$codec.json")
  expect_eq "$rows" 2003 "inspect num_rows of py_$codec.avro"
  "$G" convert "py_$codec.avro" "ours_$codec.avro" --compression snappy -q
  $PY "$ORACLE" read "py_$codec.avro" > "src_$codec.jsonl"
  $PY "$ORACLE" read "ours_$codec.avro" > "ours_$codec.jsonl"
  $PY - "src_$codec.jsonl" "ours_$codec.jsonl" <<'EOF' || fail "ours_$codec.avro differs from py_$codec.avro"
import json, sys
def rows(path):
    lines = open(path, encoding="utf-8").read().splitlines()[1:]
    out = []
    for line in lines:
        r = json.loads(line)
        # A null nested record reads back as a record of nulls (gaggle flattens records).
        if r.get("billing", 0) is None:
            del r["billing"]
            r["billing.city"] = None
            r["billing.zip"] = None
        out.append(r)
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(a) == len(b) == 2003, (len(a), len(b))
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print("row", i, "differs:\n ", x, "\n ", y)
        sys.exit(1)
EOF
done
head -1 ours_null.jsonl | grep -q '"codec": "snappy"' || fail "converted file is not snappy"

# 2. Avro -> Parquet: DuckDB sees the rows python3-avro wrote.
"$G" convert py_deflate.avro py.parquet -q --compression zstd
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('py.parquet')")" 2003 "rows in py.parquet"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('py.parquet') WHERE \"billing.city\" IS NULL")" 1001 \
  "null billing.city"
expect_eq "$(duck_value "SELECT sum(id) FROM read_parquet('py.parquet') WHERE id > 1 AND id < 9000000000000")" \
  "$($PY -c 'print(sum(i * 1000003 for i in range(3, 2003)))')" "sum of formula ids"

# 3. Parquet -> Avro (gzip = Avro deflate) -> Parquet keeps every row; python3-avro reads ours.
"$G" generate src.parquet --profile bench --rows 20000 --seed 4 -q
"$G" convert src.parquet mid.avro -q --compression gzip
$PY "$ORACLE" read mid.avro > mid.jsonl
expect_eq "$(($(wc -l < mid.jsonl) - 1))" 20000 "python3-avro rows in mid.avro"
head -1 mid.jsonl | grep -q '"codec": "deflate"' || fail "mid.avro is not deflate"
"$G" convert mid.avro back.parquet -q
cols=$(duck_value "SELECT string_agg(column_name, ',') FROM (DESCRIBE SELECT * FROM read_parquet('src.parquet'))")
diff=$(duck_value "SELECT count(*) FROM (SELECT $cols FROM read_parquet('src.parquet') EXCEPT ALL SELECT $cols FROM read_parquet('back.parquet'))")
expect_eq "$diff" 0 "rows changed by Parquet -> Avro -> Parquet"

# 4. Bad input is a clean error naming the file; zstd Avro output is Avro's zstandard codec, which
#    python3-avro reads; codecs Avro lacks are refused with the alternatives.
printf 'Obj\001garbage' > bad.avro
if "$G" inspect bad.avro 2> err.txt; then fail "inspect accepted bad.avro"; fi
grep -q "bad.avro" err.txt || fail "error does not name the file: $(cat err.txt)"
"$G" convert src.parquet z.avro -q --compression zstd || fail "zstd Avro output"
expect_eq "$($PY -W ignore -c 'import avro.datafile, avro.io
r = avro.datafile.DataFileReader(open("z.avro", "rb"), avro.io.DatumReader())
print(r.get_meta("avro.codec").decode(), sum(1 for _ in r))')" "zstandard $(duck_value "SELECT count(*) FROM read_parquet('src.parquet')")" \
  "python3-avro reading gaggle's zstandard Avro"
if "$G" convert src.parquet b.avro -q --compression brotli 2> err.txt; then fail "brotli Avro output accepted"; fi
grep -q "snappy" err.txt || fail "brotli refusal does not name alternatives: $(cat err.txt)"
echo "avro interop: ok"
