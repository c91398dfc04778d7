# The nested demo end to end: generate-estate --profile nested writes Avro events with a device
# record, lists of item records and maps of attributes; examples/migrations/events-nested-v2.yaml
# migrates one dataset to Parquet (device rebuilt as a struct with renamed fields, its model
# lifted out, values derived from list elements and map entries). DuckDB reads the output and
# agrees with gaggle's plain conversion of the source row by row; gaggle validate passes it and
# fails a copy with one changed price inside a list of structs, naming that leaf.
source "$ROOT/tests/lib.sh"
G="$1"
SPEC="$ROOT/examples/migrations/events-nested-v2.yaml"

"$G" generate-estate est --profile nested --datasets 10 --size-scale 0.05 -q
grep -q 'items: list<struct<sku:string,qty:int32,price:double>>' est/migration.yaml || fail "estate spec is not the nested one"
# A dataset without planted faults (README.txt lists those), the largest of them.
id=""
best=0
for d in est/lake/v1/*/; do
  name=$(basename "$d")
  grep -q "^    $name\b" est/README.txt && continue
  size=$(du -sb "$d" | cut -f1)
  if (( size > best )); then best=$size; id=$name; fi
done
[[ -n "$id" ]] || fail "no fault-free dataset in the estate"
src="est/lake/v1/$id"

"$G" transform --spec "$SPEC" --input "$src" --output new > transform.log 2>&1 || { cat transform.log; fail "transform"; }
"$G" convert "$(ls "$src"/*.avro | head -n 1)" src.parquet -q
for p in $(ls "$src"/*.avro | tail -n +2); do "$G" convert "$p" "src-$(basename "$p" .avro).parquet" -q; done

types=$(duck "DESCRIBE SELECT * FROM read_parquet('new/*.parquet')" | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>{const r=JSON.parse(l);return r.column_name+" "+r.column_type}).join(";")))')
expect_eq "$types" 'account_id BIGINT;event_time TIMESTAMP WITH TIME ZONE;amount DOUBLE;country VARCHAR;session VARCHAR;device STRUCT(platform VARCHAR, platform_version VARCHAR);device_model VARCHAR;items STRUCT(sku VARCHAR, qty INTEGER, price DOUBLE)[];attrs MAP(VARCHAR, VARCHAR);amount_cents DOUBLE;first_sku VARCHAR;campaign VARCHAR' "DuckDB schema of the output"

src_rows=$(duck_value "SELECT count(*) FROM read_parquet('src*.parquet') WHERE TRY_CAST(amount AS DOUBLE) >= 0")
new_rows=$(duck_value "SELECT count(*) FROM read_parquet('new/*.parquet')")
(( src_rows > 100 )) || fail "too few rows to test ($src_rows)"
expect_eq "$new_rows" "$src_rows" "rows kept"
# Every kept row, as DuckDB reads both sides: the struct's renamed fields, the lifted field, the
# list and the map unchanged, the derived list element and map value.
diff=$(duck_value "SELECT count(*) FROM (
  SELECT user_id, \"device.os\", \"device.os_version\", \"device.model\", to_json(items), to_json(attrs), items[1].sku, attrs['campaign']
    FROM read_parquet('src*.parquet') WHERE TRY_CAST(amount AS DOUBLE) >= 0
  EXCEPT ALL
  SELECT account_id, device.platform, device.platform_version, device_model, to_json(items), to_json(attrs), first_sku, campaign
    FROM read_parquet('new/*.parquet'))")
expect_eq "$diff" 0 "rows that differ between source and output"
expect_eq "$(duck_value "SELECT count(*) > 0 FROM read_parquet('new/*.parquet') WHERE len(items) >= 2 AND campaign IS NOT NULL")" true "rows with items and a campaign"

"$G" validate "$src" new --spec "$SPEC" --json > report.json || { cat report.json; fail "validate should pass the migration"; }
node -e '
const r = JSON.parse(require("fs").readFileSync("report.json"));
const leaf = r.new.columns.find(c => c.name == "items.element.price");
if (!leaf || !(leaf.rows > 0) || leaf.max === undefined) throw new Error("no statistics for items.element.price: " + JSON.stringify(leaf));
for (const n of ["device.platform", "attrs.key", "attrs.value", "items.element.sku"])
  if (!r.new.columns.find(c => c.name == n)) throw new Error("no statistics for " + n);' || fail "leaf statistics missing from the report"

# Plant one changed value deep inside: the first item's price of one row.
part=$(ls new/*.parquet | head -n 1)
schema=$("$G" inspect "$part" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).schema.map(f=>f.name+": "+f.type+(f.nullable?"":" not null")).join(", ")))')
"$G" convert "$part" rows.jsonl -q
node -e '
const fs = require("fs");
const lines = fs.readFileSync("rows.jsonl", "utf8").trim().split("\n");
const i = lines.findIndex(l => { const r = JSON.parse(l); return r.items && r.items.length > 0; });
const r = JSON.parse(lines[i]);
r.items[0].price = r.items[0].price + 1;
lines[i] = JSON.stringify(r);
fs.writeFileSync("planted.jsonl", lines.join("\n") + "\n");'
mkdir planted
for p in new/*.parquet; do [[ "$p" == "$part" ]] || cp "$p" planted/; done
"$G" convert planted.jsonl planted/changed.parquet -q --schema "$schema"
set +e
"$G" validate "$src" planted --spec "$SPEC" > planted.txt 2> planted.err
code=$?
set -e
expect_eq "$code" 1 "exit code of validate on the planted change"
grep -q "FAIL  checksum" planted.txt || { cat planted.txt; fail "the checksum should fail"; }
grep -q "columns whose values differ: items, items.element.price" planted.txt ||
  { cat planted.txt; fail "the report should name the changed leaf"; }
echo "nested_demo: ok"
