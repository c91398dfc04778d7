#!/usr/bin/env bash
# Validation gates catch each kind of fault a real migration meets. For every fault an
# external agent (tests/agents/faulty_agent.py) commits it on one dataset of the canary
# stage; the test asserts the migration pauses before the next stage, says which dataset
# and which check, and that a rollback afterwards quarantines the outputs and leaves the
# catalog exactly as it was; run again, it ends as a clean run. A source changed mid-migration is not paused on: it is
# migrated again, never passed with stale data. A clean run passes every gate.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3
N=12
mkdir -p lake
for i in $(seq 0 $((N - 1))); do
  "$G" generate "lake/ds$i.jsonl" --profile events --rows 3000 --seed "$i" -q
done
$PY - "$N" "$WORK" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/catalog.yaml", "w") as f:
    f.write("gaggle_catalog: 1\ndatasets:\n")
    for i in range(n):
        f.write(f"  - id: ds{i}\n    uri: file://{work}/lake/ds{i}.jsonl\n    format: jsonl\n    tier: {'low' if i < 4 else 'standard'}\n")
PY
cp "$ROOT/tests/agents/faulty_agent.py" agent.py

spec() {  # spec NAME: a migration whose canary stage (stage 0) holds ds0..ds3
  cat > "$1.yaml" <<EOF2
name: $1
version: 2
agent: {exec: ./agent.py, version: "1.0.0"}
select: {match: {id: "*"}}
transform:
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://$WORK/out-$1/{id}/"}
dead_letter: {max_fraction: 10%}
rollout: {stages: [34%, 100%], canary: {tier: [low]}, seed: 1}
fleet: {concurrency: 2, timeout: 60s, retries: {max: 1, initial: 10ms}}
gates: {row_count_tolerance: 0%, checksum: true, max_dlq_fraction: 1%, max_failed_datasets: 1%}
EOF2
}

"$G" catalog import catalog.yaml --state catalog-reference.db > /dev/null
"$G" catalog list --state catalog-reference.db --json > catalog-before.json

# --- a clean migration passes every gate.
spec clean
"$G" run clean.yaml --catalog catalog.yaml --state clean.db -q --exit-when-paused > clean.out 2>&1 || { cat clean.out; fail "clean run"; }
"$G" status clean --state clean.db --json | $PY -c '
import json, sys
s = json.load(sys.stdin)
assert s["succeeded"] == 12 and s["needs_attention"] == [], s
assert all(st["counts"] == {"validated": st["datasets"]} for st in s["stages"]), s["stages"]'

check_fault() {  # check_fault KIND EXPECTED_CHECK
  local kind="$1" check="$2" name="f-$1"
  spec "$name"
  rc=0
  FAULTY_DATASET=ds1 FAULTY_KIND="$kind" "$G" run "$name.yaml" --catalog catalog.yaml --state "$name.db" -q \
    --exit-when-paused > "$name.out" 2>&1 || rc=$?
  expect_eq "$rc" 75 "$kind: exit code of a run paused by its gate"
  "$G" status "$name" --state "$name.db" --json > "$name.status"
  $PY - "$name.status" "$check" <<'PY' || fail "$kind: status after the gate"
import json, sys
s = json.load(open(sys.argv[1]))
check = sys.argv[2]
assert s["state"] == "paused", s["state"]
assert "stage 0 gate failed" in s["reason"] and "ds1" in s["reason"] and check in s["reason"], s["reason"]
assert [a["dataset"] for a in s["needs_attention"]] == ["ds1"], s["needs_attention"]
# Invalid (committed, then caught by validation) — or failed, when the output could not even be
# read as the declared schema and was never committed.
assert s["needs_attention"][0]["state"] in ("invalid", "failed"), s["needs_attention"]
later = s["stages"][1]["counts"]
assert later == {"pending": s["stages"][1]["datasets"]}, later   # stage 1 never started
PY
  "$G" rollback "$name" --state "$name.db" --reason "fault $kind" > "$name.rollback"
  grep -q "rolled back" "$name.rollback" || fail "$kind: rollback said $(cat "$name.rollback")"
  left=$(find "out-$name" -mindepth 1 -maxdepth 1 -name 'ds*' | wc -l)
  expect_eq "$left" 0 "$kind: outputs left in place after the rollback"
  quarantined=$(find "out-$name/_gaggle_quarantine/$name" -mindepth 2 -maxdepth 2 -name 'ds*' | wc -l)
  [[ "$quarantined" -ge 3 ]] || fail "$kind: only $quarantined outputs quarantined"
  "$G" status "$name" --state "$name.db" --json | $PY -c '
import json, sys
s = json.load(sys.stdin)
assert s["stages"][0]["counts"] == {"rolled-back": s["stages"][0]["datasets"]}, s["stages"][0]' \
    || fail "$kind: stage 0 is not rolled back"
  "$G" catalog list --state "$name.db" --json > "catalog-after-$name.json"
  cmp -s catalog-before.json "catalog-after-$name.json" || fail "$kind: the catalog differs after the rollback"
  cmp -s "lake/ds1.jsonl" "lake-pristine/ds1.jsonl" || fail "$kind: the old dataset was modified"
  echo "ok: $kind caught by $check"
}
cp -r lake lake-pristine
check_fault drop-rows row_count
check_fault corrupt-value checksum
check_fault shift checksum
check_fault schema schema
check_fault dead-letters dead_letter_fraction

# --- a rolled-back migration runs again (fault gone) and ends as the clean run did.
"$G" run f-drop-rows.yaml --state f-drop-rows.db -q --exit-when-paused > rerun.out 2>&1 || { cat rerun.out; fail "rerun after rollback"; }
"$G" status f-drop-rows --state f-drop-rows.db --json | $PY -c '
import json, sys
s = json.load(sys.stdin)
assert s["state"] == "completed" and s["succeeded"] == 12 and s["needs_attention"] == [], s
assert all(st["counts"] == {"validated": st["datasets"]} for st in s["stages"]), s["stages"]' || fail "rerun state"
for i in $(seq 0 11); do
  a=$($PY -c "import json; print(json.load(open('out-clean/ds$i/_gaggle_manifest.json'))['content_checksum'])")
  b=$($PY -c "import json; print(json.load(open('out-f-drop-rows/ds$i/_gaggle_manifest.json'))['content_checksum'])")
  expect_eq "$b" "$a" "ds$i: output after rollback and rerun vs the clean run"
done
echo "ok: rollback, rerun, same outputs as a clean run"

# --- a source changed after its agent ran is migrated again, not passed stale.
spec changed
rc=0
FAULTY_DATASET=ds2 FAULTY_KIND=source-change FAULTY_MARKER="$WORK/changed.marker" \
  "$G" run changed.yaml --catalog catalog.yaml --state changed.db -q --exit-when-paused > changed.out 2>&1 || rc=$?
expect_eq "$rc" 0 "source-change run"
$PY - <<'PY' || fail "source change"
import json, sqlite3
db = sqlite3.connect("changed.db")
states = [r[0] for r in db.execute("SELECT to_state FROM events WHERE migration = 'changed' AND dataset = 'ds2' AND to_state <> 'cut-over' ORDER BY seq")]
assert states.count("validating") == 2 and states[-1] == "validated", states
i = states.index("validating")
assert states[i + 1] == "pending", states   # sent back, not validated with stale data
rows = db.execute("SELECT rows_in FROM tasks WHERE migration = 'changed' AND dataset_id = 'ds2'").fetchone()[0]
assert rows == 3001, rows                      # the new source, with its extra record
PY
echo "ok: source change re-migrated"
