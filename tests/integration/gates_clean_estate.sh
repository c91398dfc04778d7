#!/usr/bin/env bash
# No false alarms: the 300-dataset demo estate (at 1% of its size) migrates with every
# dataset validated — row counts, checksums, schema, distributions and dead letters all
# within the gates — except the two datasets planted to fail (a schema mismatch and too
# many bad records), which fail before any output is committed. No dataset is invalid.
source "$ROOT/tests/lib.sh"
G="$1"
"$G" generate-estate estate --datasets 300 --size-scale 0.01 -q
rc=0
"$G" run estate/migration.yaml --catalog estate/catalog --state estate/gaggle.db -q --exit-when-paused \
  > run.out 2>&1 || rc=$?
expect_eq "$rc" 1 "exit code (the two planted failures need attention)"
"$G" status events-v2 --state estate/gaggle.db --json > status.json
/usr/bin/python3 - <<'PY' || fail "gates raised a false alarm"
import json
s = json.load(open("status.json"))
counts = {}
for st in s["stages"]:
    for k, v in st["counts"].items():
        counts[k] = counts.get(k, 0) + v
assert counts == {"validated": 298, "failed": 2}, counts
planted = sorted(a["dataset"] for a in s["needs_attention"])
assert planted == ["growth_report_onboarding_steps", "identity_report_invoices"], planted
assert s["state"] == "completed", s["state"]
assert s["rows_out"] > 0 and s["bytes_done"] > 0, s
PY
grep -q "gate-failed" <(/usr/bin/python3 -c '
import sqlite3; print([r for r in sqlite3.connect("estate/gaggle.db").execute("select to_state from events where to_state like \"gate-%\"")])') \
  && fail "a gate failed on a clean estate"
echo "ok: 298 validated, 2 planted failures, no gate failed"
