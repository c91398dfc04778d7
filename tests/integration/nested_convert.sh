# Nested data through gaggle convert and inspect: JSON lines (objects, arrays) -> Parquet
# (structs, lists, maps) -> Parquet, JSON lines and CSV; DuckDB checks every Parquet file we
# write, and gaggle reads a nested file DuckDB wrote.
source "$ROOT/tests/lib.sh"
G="$1"

node -e '
for (let i = 0; i < 3000; i++) {
  const row = {id: i,
    device: {os: ["linux", "mac", null][i % 3], version: i % 7 === 0 ? null : i % 11},
    items: i % 5 === 0 ? null : Array.from({length: i % 4}, (_, k) => ({sku: "s" + (i * 10 + k), qty: k, price: k * 1.25})),
    attrs: i % 6 === 0 ? {} : {color: "c" + (i % 9), size: i % 2 === 0 ? null : "L"},
    tags: i % 4 === 0 ? [] : [["a", null, "b"][i % 3], "t" + i]};
  console.log(JSON.stringify(row));
}' > events.jsonl

schema='id: int64, device: struct<os:string,version:int64>, items: list<struct<sku:string,qty:int64,price:double>>, attrs: map<string,string>, tags: list<string>'
"$G" convert events.jsonl events.parquet -q --schema "$schema" --row-group-rows 1000
"$G" convert events.jsonl inferred.parquet -q
"$G" convert events.parquet copy.parquet -q --compression snappy
"$G" convert events.parquet back.jsonl -q
"$G" convert events.parquet events.csv -q

# DuckDB reads what we wrote, with the types we declared.
types=$(duck "DESCRIBE SELECT * FROM read_parquet('events.parquet')" | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>JSON.parse(l).column_type).join(";")))')
expect_eq "$types" 'BIGINT;STRUCT(os VARCHAR, "version" BIGINT);STRUCT(sku VARCHAR, qty BIGINT, price DOUBLE)[];MAP(VARCHAR, VARCHAR);VARCHAR[]' "DuckDB types"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('events.parquet')")" 3000 "rows"
expect_eq "$(duck_value "SELECT sum(len(items)) FROM read_parquet('events.parquet')")" \
  "$(node -e 'let n=0;for(let i=0;i<3000;i++) if(i%5) n+=i%4; console.log(n)')" "list elements"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('events.parquet') WHERE items IS NULL")" 600 "null lists"
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('events.parquet') WHERE device.version IS NULL")" 429 "null struct fields"
expect_eq "$(duck_value "SELECT attrs['color'] FROM read_parquet('events.parquet') WHERE id = 13")" c4 "map lookup"
expect_eq "$(duck_value "SELECT items[3].sku FROM read_parquet('events.parquet') WHERE id = 7")" s72 "list of structs"
expect_eq "$(duck_value "SELECT sum(items[2].price) FROM read_parquet('events.parquet')")" \
  "$(node -e 'let n=0;for(let i=0;i<3000;i++) if(i%5 && i%4>=2) n+=1.25; console.log(n)')" "second item prices"

# Parquet -> Parquet keeps every value; the inferred file holds the same data.
expect_eq "$(duck_value "SELECT count(*) FROM (SELECT * FROM read_parquet('events.parquet') EXCEPT ALL SELECT * FROM read_parquet('copy.parquet'))")" 0 "copy differs"
expect_eq "$(duck_value "SELECT count(*) FROM (SELECT to_json(items) FROM read_parquet('events.parquet') EXCEPT ALL SELECT to_json(items) FROM read_parquet('inferred.parquet'))")" 0 "inferred items differ"

# Parquet -> JSON lines gives the input back (same keys, same values).
node -e '
const fs=require("fs");
const a=fs.readFileSync("events.jsonl","utf8").trim().split("\n"), b=fs.readFileSync("back.jsonl","utf8").trim().split("\n");
if (a.length!==b.length) { console.error("lines", a.length, b.length); process.exit(1); }
const norm=(v)=>JSON.stringify(v,(k,x)=>x);
for (let i=0;i<a.length;i++) {
  const x=JSON.parse(a[i]), y=JSON.parse(b[i]);
  if (norm(x)!==norm(y)) { console.error("line", i+1, a[i], b[i]); process.exit(1); }
}' || fail "back.jsonl differs from events.jsonl"

# CSV holds nested values as JSON text.
line=$(sed -n 3p events.csv)
[[ "$line" == *'"[{""sku"":""s10"",""qty"":0,""price"":0.0}]"'* ]] || fail "CSV nested cell: $line"

# inspect: the nested schema and one chunk per leaf with its statistics.
"$G" inspect events.parquet --json > inspect.json
node -e '
const j=JSON.parse(require("fs").readFileSync("inspect.json"));
const t=j.schema.map(f=>f.name+":"+f.type).join(",");
if (t!=="id:int64,device:struct<os:string,version:int64>,items:list<struct<sku:string,qty:int64,price:double>>,attrs:map<string,string>,tags:list<string>") { console.error(t); process.exit(1); }
const cols=j.row_groups[0].columns.map(c=>c.column).join(",");
if (cols!=="id,device.os,device.version,items.list.element.sku,items.list.element.qty,items.list.element.price,attrs.key_value.key,attrs.key_value.value,tags.list.element") { console.error(cols); process.exit(1); }
const qty=j.row_groups[0].columns[4];
if (qty.min!=="0" || qty.max!=="2" || typeof qty.null_count!=="number") { console.error(JSON.stringify(qty)); process.exit(1); }
' || fail "inspect output"
"$G" inspect events.parquet | grep -q "items: list<struct<sku:string,qty:int64,price:double>>" || fail "inspect text schema"

# A nested file DuckDB wrote converts exactly.
duck "COPY (SELECT i AS id, [i, NULL, i * 2] AS l, {'a': i % 3, 'b': [{'c': 'x' || i}]} AS s, map(['k' || i], [i]) AS m FROM range(5000) t(i)) TO 'duck.parquet' (FORMAT parquet, PARQUET_VERSION v2, ROW_GROUP_SIZE 2000)" > /dev/null
"$G" convert duck.parquet ours.parquet -q
expect_eq "$(duck_value "SELECT count(*) FROM (SELECT * FROM read_parquet('duck.parquet') EXCEPT ALL SELECT * FROM read_parquet('ours.parquet'))")" 0 "DuckDB file converted"

# Avro: Parquet -> Avro -> Parquet keeps every nested value (the top-level struct `device`
# becomes an Avro record and reads back as the columns device.os and device.version), and
# python3-avro reads the lists, maps and records gaggle wrote.
"$G" convert events.parquet events.avro -q
"$G" convert events.avro from_avro.parquet -q
expect_eq "$(duck_value "SELECT count(*) FROM (SELECT id, device.os, device.version, items, attrs, tags FROM read_parquet('events.parquet') EXCEPT ALL SELECT id, \"device.os\", \"device.version\", items, attrs, tags FROM read_parquet('from_avro.parquet'))")" 0 "Avro round trip"
/usr/bin/python3 - <<'PY' || fail "python3-avro reading events.avro"
import avro.datafile, avro.io, json
rows = list(avro.datafile.DataFileReader(open("events.avro", "rb"), avro.io.DatumReader()))
src = [json.loads(l) for l in open("events.jsonl")]
assert len(rows) == len(src), (len(rows), len(src))
for r, s in zip(rows, src):
    assert r["id"] == s["id"], (r, s)
    assert r["device"] == s["device"], (r["device"], s["device"])
    assert r["items"] == s["items"], (r["items"], s["items"])
    assert r["attrs"] == s["attrs"], (r["attrs"], s["attrs"])
    assert r["tags"] == s["tags"], (r["tags"], s["tags"])
PY
