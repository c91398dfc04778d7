#!/usr/bin/env bash
# make demo: generate a realistic legacy dataset and migrate it with the built-in agent.
set -euo pipefail
G="$(realpath "${1:-build/gaggle}")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/demo-out"
rm -rf "$OUT"
mkdir -p "$OUT/events-v1"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A legacy dataset: 3 daily Avro partitions, text timestamps and amounts, 0.2% bad records"
for day in 1 2 3; do
  mkdir -p "$OUT/events-v1/day=$day"
  "$G" generate "$OUT/events-v1/day=$day/events.avro" --profile events --rows 400000 --seed "$day" \
    --bad-fraction 0.002 --compression snappy
done
"$G" inspect "$OUT/events-v1/day=1/events.avro"

step "2. Migrate it: rename, cast, drop, add, derive, filter; bad records to the dead-letter file"
"$G" transform --spec "$ROOT/examples/migrations/events-v2.yaml" --input "$OUT/events-v1" --output "$OUT/events-v2"

step "3. Run it again: same input, spec and agent -> nothing to do"
"$G" transform --spec "$ROOT/examples/migrations/events-v2.yaml" --input "$OUT/events-v1" --output "$OUT/events-v2"

step "4. The new dataset"
"$G" inspect "$OUT/events-v2/day=1/events.parquet"
echo
echo "first dead letters:"
head -n 3 "$OUT/events-v2/_gaggle_dead_letter.jsonl"
echo
echo "manifest: $OUT/events-v2/_gaggle_manifest.json"
