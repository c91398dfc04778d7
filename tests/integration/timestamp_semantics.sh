# Timestamps keep their meaning through a migration: naive timestamps (Avro local-timestamp-*,
# Parquet isAdjustedToUTC=false) stay naive after a rename-only transform, DuckDB reads them back
# as TIMESTAMP (not WITH TIME ZONE), and `gaggle validate` fails a naive <-> UTC change that the
# spec does not declare, while a cast in the spec declares it. Also: decimal(38) and LZ4_RAW /
# BROTLI / Avro zstandard outputs open in DuckDB and python3-avro with the same values.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3

# An Avro source written by python3-avro: local and UTC timestamps, a decimal(38,2).
$PY -W ignore - <<'PY'
import avro.datafile, avro.io, avro.schema, datetime, decimal, json
decimal.getcontext().prec = 60  # exact products of 38-digit decimals
schema = avro.schema.parse(json.dumps({"type": "record", "name": "e", "fields": [
    {"name": "id", "type": "long"},
    {"name": "local_ts", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
    {"name": "utc_ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 2}}]}))
with open("events.avro", "wb") as f:
    w = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec="deflate")
    for i in range(1000):
        utc = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=i)
        w.append({"id": i, "local_ts": 1704067200000000 + i * 1000001, "utc_ts": utc,
                  "amount": decimal.Decimal("123456789012345678901234567890.12") * (i - 500)})
    w.close()
PY

cat > rename.yaml <<'YAML'
name: events-v2
version: 2
transform:
  rename: {id: event_id}
gates: {row_count_tolerance: 0%, checksum: true}
YAML
"$G" transform --spec rename.yaml --input events.avro --output renamed > t.log 2>&1 || { cat t.log; fail "rename transform"; }
types=$(duck "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('renamed/*.parquet'))")
grep -q '"column_name":"local_ts","column_type":"TIMESTAMP"' <<< "$types" || fail "local_ts is not a naive TIMESTAMP: $types"
grep -q '"column_name":"utc_ts","column_type":"TIMESTAMP WITH TIME ZONE"' <<< "$types" || fail "utc_ts lost its zone: $types"
grep -q '"column_name":"amount","column_type":"DECIMAL(38,2)"' <<< "$types" || fail "amount is not DECIMAL(38,2): $types"
# The values are the source's, as python3-avro and DuckDB read them.
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('renamed/*.parquet')
  WHERE epoch_us(local_ts) = 1704067200000000 + event_id * 1000001
    AND amount = CAST('123456789012345678901234567890.12' AS DECIMAL(38,2)) * (event_id - 500)")" 1000 "renamed values"
"$G" validate events.avro renamed --spec rename.yaml > ok.txt || { cat ok.txt; fail "a rename-only migration should validate"; }

# A planted change: the same rows with local_ts made UTC-adjusted (a spec that casts it), checked
# against the rename-only spec, which declares no such change.
cat > cast.yaml <<'YAML'
name: events-v2
version: 2
transform:
  rename: {id: event_id}
  cast: {local_ts: timestamp}
gates: {row_count_tolerance: 0%, checksum: true}
YAML
"$G" transform --spec cast.yaml --input events.avro --output casted > t2.log 2>&1 || { cat t2.log; fail "cast transform"; }
expect_eq "$(duck_value "SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet('casted/*.parquet')) WHERE column_name = 'local_ts'")" \
  "TIMESTAMP WITH TIME ZONE" "cast to timestamp"
set +e
"$G" validate events.avro casted --spec rename.yaml > bad.txt 2> bad.err
code=$?
set -e
expect_eq "$code" 1 "validation of an undeclared naive -> UTC change"
grep -q "local_ts' is timestamp (an instant, UTC-adjusted), target timestamp_ntz" bad.txt ||
  { cat bad.txt; fail "the schema check should name the timestamp change"; }
# With the cast declared in the spec, the same files pass.
"$G" validate events.avro casted --spec cast.yaml > ok2.txt || { cat ok2.txt; fail "a declared cast should validate"; }

# Parquet -> Avro keeps naive timestamps naive (local-timestamp-micros) and writes zstandard blocks.
part=$(ls renamed/*.parquet | head -1)
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('$part')")" 1000 "one part file"
"$G" convert "$part" back.avro --compression zstd -q
$PY -W ignore - <<'PY' || fail "python3-avro reading gaggle's zstandard Avro"
import avro.datafile, avro.io, json
with open("back.avro", "rb") as f:
    r = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    assert r.get_meta("avro.codec") == b"zstandard", r.get_meta("avro.codec")
    schema = json.loads(r.get_meta("avro.schema"))
    kinds = {fld["name"]: fld["type"] for fld in schema["fields"]}
    assert kinds["local_ts"]["logicalType"] == "local-timestamp-micros", kinds
    assert kinds["utc_ts"]["logicalType"] == "timestamp-micros", kinds
    rows = list(r)
    assert len(rows) == 1000
    assert rows[7]["local_ts"] == 1704067200000000 + 7 * 1000001, rows[7]
PY

# LZ4_RAW and BROTLI outputs open in DuckDB with the same values.
for codec in lz4_raw brotli; do
  "$G" convert "$part" "out_$codec.parquet" --compression "$codec" -q
  expect_eq "$(duck_value "SELECT count(*) FROM (SELECT * FROM read_parquet('out_$codec.parquet')
    EXCEPT ALL SELECT * FROM read_parquet('renamed/*.parquet'))")" 0 "$codec values"
  expect_eq "$(duck_value "SELECT DISTINCT compression FROM parquet_metadata('out_$codec.parquet')")" \
    "$(tr a-z A-Z <<< "$codec")" "$codec codec"
done
echo "timestamp_semantics: ok"
