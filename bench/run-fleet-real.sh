#!/usr/bin/env bash
# Real `gaggle run` at growing estate sizes (called by bench/run.sh with BUILD DATA_DIR; prints
# markdown). For each size in FLEET_REAL_SIZES (default "1000 10000 100000"): the demo estate
# generator writes that many tiny datasets (--size-scale 0.001: one Avro file of about 100-200
# rows each, lineage, planted faults), then one `gaggle run` migrates it with real agents, gates,
# the final gate's query verification and the cut-over. The figure is the wall time per
# dataset: if a per-dataset step grew with the estate (listing a shared directory, loading every
# task, re-reading the catalog), the cost per dataset would grow from one size to the next.
# The peer is the smallest size: the last column is each size's cost per dataset over its cost.
set -euo pipefail
BUILD="$1"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
G="$ROOT/$BUILD/gaggle"
OUT="$ROOT/bench/out/fleet-real"
SIZES="${FLEET_REAL_SIZES:-1000 10000 100000}"

echo ""
echo "## Real \`gaggle run\` per dataset as the estate grows"
echo ""
echo "Tiny datasets (\`generate-estate --size-scale 0.001\`), real agents, gates, final gate and"
echo "cut-over; the spec's concurrency (2). Wall seconds of the whole run, load average at its start."
echo ""
echo "| datasets | migrated | run s | ms per dataset | peak RSS MB | load | ms per dataset / smallest's |"
echo "|---|---|---|---|---|---|---|"
first=""
for n in $SIZES; do
  rm -rf "$OUT"; mkdir -p "$OUT"
  "$G" generate-estate "$OUT/estate" --datasets "$n" --size-scale 0.001 -q
  load=$(cut -d' ' -f1 /proc/loadavg)
  rc=0
  /usr/bin/time -f "%e %M" -o "$OUT/.time" "$G" run "$OUT/estate/migration.yaml" --catalog "$OUT/estate/catalog" \
    --state "$OUT/estate/gaggle.db" -q --exit-when-paused > "$OUT/run.out" 2>&1 || rc=$?
  # 1: the planted faults need attention (expected); anything else is a failed benchmark.
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then echo "run-fleet-real: gaggle run exited $rc at $n datasets" >&2; cat "$OUT/run.out" >&2; exit 1; fi
  read -r secs rss_kb < <(tail -n 1 "$OUT/.time")  # time puts "Command exited ..." first on exit 1
  migrated=$("$G" status events-v2 --state "$OUT/estate/gaggle.db" --json |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(st["counts"].get("validated",0) for st in s["stages"]))')
  ms=$(awk -v s="$secs" -v n="$n" 'BEGIN{printf "%.2f", s*1000/n}')
  [[ -n "$first" ]] || first=$ms
  echo "| $n | $migrated | $secs | $ms | $(( rss_kb / 1024 )) | $load | $(awk -v a="$ms" -v b="$first" 'BEGIN{printf "%.2f", a/b}') |"
done
rm -rf "$OUT"
