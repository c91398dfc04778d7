#!/usr/bin/env bash
# Writes small nested Parquet files with gaggle's own writer into the Parquet reader fuzz
# target's seed corpus (structs, lists, maps, nesting, nulls at every level, empty lists; with
# and without dictionaries, several codecs and pages).
#   bash scripts/make-nested-parquet-seeds.sh build/gaggle fuzz/corpus/parquet_reader_fuzz
set -euo pipefail
G="${1:?gaggle binary}"
OUT="${2:?output directory}"
work="$(mktemp -d /tmp/gaggle-nested-seeds-XXXXXX)"
trap 'rm -rf "$work"' EXIT
cat > "$work/events.jsonl" <<'JSON'
{"id":1,"device":{"os":"linux","version":3},"items":[{"sku":"a","qty":1,"price":1.5},{"sku":"b","qty":null,"price":2.0}],"attrs":{"color":"red","size":null},"tags":["x","y"],"grid":[[1,2],[],null]}
{"id":2,"device":null,"items":[],"attrs":{},"tags":null,"grid":[]}
{"id":3,"device":{"os":null,"version":null},"items":null,"attrs":null,"tags":[null,"z"],"grid":[[null]]}
{"id":4,"device":{"os":"mac","version":11},"items":[null,{"sku":"c","qty":7,"price":null}],"attrs":{"k":"v"},"tags":[],"grid":null}
JSON
schema='id: int64 not null, device: struct<os:string,version:int32>, items: list<struct<sku:string,qty:int64,price:double>>, attrs: map<string,string>, tags: list<string>, grid: list<list<int64>>'
"$G" convert "$work/events.jsonl" "$OUT/nested_zstd.parquet" -q --schema "$schema"
"$G" convert "$work/events.jsonl" "$OUT/nested_snappy_rg1.parquet" -q --schema "$schema" --compression snappy --row-group-rows 1
"$G" convert "$work/events.jsonl" "$OUT/nested_plain.parquet" -q --schema "$schema" --compression none --no-dictionary
"$G" convert "$work/events.jsonl" "$OUT/nested_inferred_gzip.parquet" -q --compression gzip
