# `gaggle inspect --json` prints valid JSON whatever bytes a file's metadata holds: bytes that are
# not UTF-8 (Parquet key-value metadata, created_by, Avro metadata) are escaped as \xNN instead of
# aborting the process (it exited 134 before).
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3

duck "COPY (SELECT 1 AS a) TO 'kv.parquet' (FORMAT parquet, KV_METADATA {k: '\xFF\xFEok'::BLOB, plain: 'é'})" > /dev/null
"$G" inspect --json kv.parquet > kv.json || fail "inspect --json of Parquet metadata that is not UTF-8"
$PY - <<'PY' || fail "Parquet key-value metadata in inspect --json"
import json
kv = json.load(open("kv.json", encoding="utf-8"))["key_value_metadata"]
assert kv["k"] == "\\xff\\xfeok", kv
assert kv["plain"] == "é", kv
PY

$PY - <<'PY'
import avro.datafile, avro.io, avro.schema, json
schema = avro.schema.parse(json.dumps({"type": "record", "name": "r", "fields": [{"name": "a", "type": "long"}]}))
with open("meta.avro", "wb") as f:
    w = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema)
    w.set_meta("created_by", b"tool \xc3\x28 v1")
    w.set_meta("team", b"\xff")
    w.append({"a": 1})
    w.close()
PY
"$G" inspect --json meta.avro > meta.json || fail "inspect --json of Avro metadata that is not UTF-8"
$PY - <<'PY' || fail "Avro metadata in inspect --json"
import json
j = json.load(open("meta.json", encoding="utf-8"))
assert j["created_by"] == "tool \\xc3( v1", j
assert j["key_value_metadata"]["team"] == "\\xff", j
assert j["num_rows"] == 1, j
PY
echo "inspect_json: ok"
