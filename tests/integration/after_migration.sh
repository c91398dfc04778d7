#!/usr/bin/env bash
# After the migration, end to end: a migration's final gate verifies the consumers'
# queries (rewritten for renamed columns and the new table names) against old and new
# data and cuts the catalog over; the patches apply; completion is notified with them;
# a rollback during retention points the catalog back; gc deletes only what retention
# allows (time advanced with --now); the audit archive verifies and tampered copies do
# not; the report reads well. A deliberately faulty agent that passes loose gates is
# caught by verification: nothing is cut over until an operator approves.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/after_migration_lib.sh"
G="$1"
PY=/usr/bin/python3
make_lake
write_catalog "$WORK/catalog.yaml" "file://$WORK/lake"

# The webhook receiver: records every POST body as one line.
start_webhook_receiver hook.log
port=$hook_port

cat > clean.yaml <<EOF2
name: clean
version: 2
agent: {builtin: transform}
select: {match: {format: jsonl}}
transform:
  rename: {user_id: account_id, ts: event_time}
  cast: {amount: double, event_time: timestamp}
  drop: [legacy_flag]
  derive: {amount_cents: "amount * 100"}
  filter: "amount >= 0"
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://$WORK/v2/{id}/"}
rollout: {stages: [50%, 100%], seed: 1}
fleet: {concurrency: 2, timeout: 60s}
verify: {sample: 0, seed: 3, table: "v{version}.{name}"}
retention: 30d
notify: [{webhook: "http://127.0.0.1:$port/hook"}]
EOF2

# --- 1. The run's final gate verifies every consumer query, then cuts over.
"$G" run clean.yaml --catalog catalog.yaml --state clean.db --exit-when-paused > clean.out 2>&1 || { cat clean.out; fail "clean run"; }
grep -q "final gate passed: 7 of 7 consumer queries verified: 7 same answer" clean.out || { cat clean.out; fail "final gate summary"; }
$PY - "$WORK" <<'PY' || fail "catalog after the cut-over"
import sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect("clean.db")
rows = dict((r[0], r[1:]) for r in db.execute("select id, uri, format, schema_version from entities where kind='dataset'"))
for i in range(5):
    assert rows[f"ds{i}"] == (f"file://{work}/v2/ds{i}/", "parquet", 2), rows[f"ds{i}"]
assert rows["sales.orders"][1] == "parquet"
assert rows["ref.countries"] == (f"file://{work}/lake/countries.csv", "csv", 1), rows["ref.countries"]
cut = list(db.execute("select dataset_id, state, previous_uri, retain_until >= cut_at from cutovers order by dataset_id"))
assert len(cut) == 6 and all(c[1] == "current" and c[3] == 1 for c in cut), cut
assert cut[0][2] == f"file://{work}/lake/ds0.jsonl", cut[0]
v = list(db.execute("select passed, sampled, matched from verifications"))
assert v == [(1, 7, 7)], v
PY

"$G" catalog show ds0 --state clean.db > show.out
grep -q "  uri: file://$WORK/v2/ds0/" show.out || fail "catalog show: $(cat show.out)"
grep -q "  previous (clean, current): file://$WORK/lake/ds0.jsonl (jsonl, schema version 1), cut over .*, kept until " show.out \
  || fail "catalog show lacks the previous location: $(cat show.out)"

# The per-consumer patches: the billing patch applies to its queries file and renames
# columns and tables, never inside the string literal or the comment.
patches=gaggle-logs/clean/patches
billing_patch=$(ls $patches/component_billing*.patch) || { ls -R gaggle-logs; fail "no billing patch"; }
mkdir -p apply/component:billing
$PY - <<'PY'
import json
qs = ["SELECT country, COUNT(*) AS n, SUM(CAST(amount AS DOUBLE)) AS revenue FROM ds0 GROUP BY country",
      "SELECT a.user_id, COUNT(*) AS both_sides FROM ds0 a JOIN ds1 b ON a.country = b.country AND a.user_id % 50 = b.user_id % 50 GROUP BY a.user_id",
      "SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS hour, COUNT(DISTINCT user_id) AS users FROM ds1\nWHERE session <> 'user_id' -- per user_id and hour\nGROUP BY 1"]
open("apply/component:billing/queries.sql", "w").write(";\n\n".join(qs) + ";\n")
PY
(cd apply && patch -p1 --quiet < "../$billing_patch") || fail "the billing patch does not apply"
grep -q "FROM v2.ds0 GROUP BY country" apply/component:billing/queries.sql || fail "table not rewritten: $(cat apply/component:billing/queries.sql)"
grep -q "a.account_id % 50 = b.account_id % 50" apply/component:billing/queries.sql || fail "join columns not renamed"
grep -q "CAST(event_time AS TIMESTAMP)" apply/component:billing/queries.sql || fail "ts not renamed"
grep -q "session <> 'user_id' -- per user_id and hour" apply/component:billing/queries.sql || fail "a literal or comment was touched"
grep -q 'SELECT "account_id" AS "user_id", MAX(event_time) AS last_seen FROM v2.sales.orders' $patches/component_sales-api*.patch || fail "quoted identifier / dotted table / output name kept: $(cat $patches/component_sales-api*.patch)"

# The completion notification carries the affected datasets and the patches.
for _ in $(seq 50); do grep -q '"event":"completed"' hook.log && break; sleep 0.1; done
$PY - <<'PY' || fail "completion notification"
import json
done = [json.loads(l) for l in open("hook.log") if '"event":"completed"' in l]
assert len(done) == 1, len(done)
f = done[0]["gaggle"]
assert f["cut_over"]["datasets"] == 6 and "ds0" in f["cut_over"]["affected"], f["cut_over"]
consumers = {c["consumer"]: c for c in f["consumers"]}
assert set(consumers) == {"component:billing", "component:ml", "component:sales-api", "component:dashboard"}, consumers.keys()
assert "+SELECT country, COUNT(*) AS n" in consumers["component:billing"]["patch"], consumers["component:billing"]
assert consumers["component:billing"]["owner"] == "team-billing"
assert "cut over" in done[0]["text"], done[0]["text"]
PY

# --- 2. A rollback during retention points the catalog back at the old data.
"$G" rollback clean --datasets ds4 --state clean.db --reason "consumer asked" > rollback.out
grep -q "1 catalog entries point at them again" rollback.out || fail "rollback output: $(cat rollback.out)"
uri=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select uri, format from entities where id=\"ds4\"").fetchone())')
expect_eq "$uri" "('file://$WORK/lake/ds4.jsonl', 'jsonl')" "ds4 after the rollback"

# --- 3. gc: nothing while the migration is not completed (the rollback cancelled it) or
# before the retention deadline; after it, only the old data of cut-over datasets.
later=$($PY -c 'import datetime; print((datetime.datetime.utcnow() + datetime.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
"$G" gc --dry-run --now "$later" --state clean.db > gc-cancelled.out
grep -q "0 old datasets would be deleted" gc-cancelled.out || fail "gc of a cancelled migration: $(cat gc-cancelled.out)"
grep -q "kept  clean  ds0  migration 'clean' is cancelled, not completed" gc-cancelled.out || fail "gc did not say why: $(cat gc-cancelled.out)"
grep -q "ds4" gc-cancelled.out && fail "gc considered the rolled-back ds4"
# Run again: ds4 is migrated again, verified and cut over; the migration completes.
"$G" run clean.yaml --state clean.db -q > rerun.out 2>&1 || { cat rerun.out; fail "run after the rollback"; }
uri=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select uri from entities where id=\"ds4\"").fetchone()[0])')
expect_eq "$uri" "file://$WORK/v2/ds4/" "ds4 after running again"
"$G" gc --dry-run --state clean.db > gc-now.out
grep -q "0 old datasets would be deleted" gc-now.out || fail "gc before retention: $(cat gc-now.out)"
grep -q "kept  clean  ds0  retained until" gc-now.out || fail "gc did not say why it kept ds0: $(cat gc-now.out)"
"$G" gc --dry-run --now "$later" --state clean.db > gc-dry.out
grep -q "dry run: 6 old datasets would be deleted" gc-dry.out || fail "gc dry run: $(cat gc-dry.out)"
[[ -f lake/ds0.jsonl ]] || fail "a dry run deleted something"
"$G" gc --now "$later" --state clean.db > gc.out
grep -q "^6 old datasets deleted" gc.out || fail "gc: $(cat gc.out)"
for f in ds0 ds1 ds2 ds3 ds4 orders; do [[ ! -e lake/$f.jsonl ]] || fail "gc kept lake/$f.jsonl"; done
[[ -f lake/countries.csv ]] || fail "gc deleted a dataset that was never migrated"
[[ -f v2/ds0/_gaggle_manifest.json ]] || fail "gc touched the new data"
collected=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select count(*) from events where to_state=\"collected\"").fetchone()[0])')
expect_eq "$collected" 6 "collected events"
"$G" gc --now "$later" --state clean.db | grep -q "^0 old datasets deleted" || fail "a second gc deleted more"
"$G" rollback clean --datasets ds0 --state clean.db --reason "too late" > late.out
grep -q "deleted by gc" late.out || fail "rollback after gc: $(cat late.out)"

# --- 4. The audit archive verifies; tampered copies do not.
"$G" archive clean --out clean.tar.zst --state clean.db > archive.out || { cat archive.out; fail "archive"; }
"$G" archive verify clean.tar.zst > verify.out || { cat verify.out; fail "archive verify"; }
grep -q "archive intact" verify.out || fail "archive verify said: $(cat verify.out)"
mkdir x && tar --zstd -xf clean.tar.zst -C x
for f in spec.yaml plan.json run.json tasks.jsonl agents.json events.jsonl validations.jsonl verifications.jsonl \
         cutovers.json approvals.json MANIFEST.sha256 manifests/ds0.json logs/run.jsonl \
         logs/task-log/segment-000001.jsonl logs/task-log/segment-000001.index; do
  [[ -f x/$f ]] || fail "archive lacks $f"
done
ls x/logs/patches/component_billing*.patch > /dev/null || fail "archive lacks the patches"
(cd x && sha256sum -c --quiet MANIFEST.sha256) || fail "sha256sum -c disagrees with the manifest"
grep -q '"gaggle-transform"' x/agents.json || fail "agents.json: $(cat x/agents.json)"
# (a) one byte of a task record changed: the manifest catches it.
sed -i '0,/validated/s//validatex/' x/tasks.jsonl
(cd x && tar --zstd -cf ../tampered1.tar.zst $(cd ../x && find . -type f | sed 's|^\./||' | sort))
rc=0; "$G" archive verify tampered1.tar.zst > t1.out 2>&1 || rc=$?
expect_eq "$rc" 1 "exit code of a tampered archive"
grep -q "tasks.jsonl: sha256 differs" t1.out || fail "tampered file not named: $(cat t1.out)"
# (b) an event rewritten and the manifest recomputed to match: the hash chain catches it.
rm -rf x && mkdir x && tar --zstd -xf clean.tar.zst -C x
$PY - <<'PY'
import json
lines = open("x/events.jsonl").read().splitlines()
for i, l in enumerate(lines):
    e = json.loads(l)
    if e["to"] == "cut-over":
        e["actor"] = "mallory"
        lines[i] = json.dumps(e)
        break
open("x/events.jsonl", "w").write("\n".join(lines) + "\n")
PY
(cd x && grep -v '  events.jsonl$' MANIFEST.sha256 > m && sha256sum events.jsonl >> m && sort -k2 m > MANIFEST.sha256 && rm m)
(cd x && tar --zstd -cf ../tampered2.tar.zst $(cd ../x && find . -type f | sed 's|^\./||' | sort))
rc=0; "$G" archive verify tampered2.tar.zst > t2.out 2>&1 || rc=$?
expect_eq "$rc" 1 "exit code of an archive with a rewritten event"
grep -q "events.jsonl" t2.out || fail "rewritten event not reported: $(cat t2.out)"

# Bad input gets a clear error, never a crash.
rc=0; "$G" gc --now yesterday --state clean.db > bad.out 2>&1 || rc=$?
expect_eq "$rc" 2 "gc --now with a bad time"
grep -q "'yesterday' is not an ISO 8601 timestamp" bad.out || fail "gc --now: $(cat bad.out)"
head -c 3000 /dev/urandom > garbage.tar.zst
rc=0; "$G" archive verify garbage.tar.zst > bad.out 2>&1 || rc=$?
[[ $rc -ne 0 && $rc -lt 128 ]] || fail "archive verify of garbage exited $rc"
grep -q "garbage.tar.zst" bad.out || fail "archive verify of garbage: $(cat bad.out)"
rc=0; "$G" verify nope --state clean.db > bad.out 2>&1 || rc=$?
expect_eq "$rc" 1 "verify of an unknown migration"
grep -q "no migration 'nope'" bad.out || fail "verify nope: $(cat bad.out)"
rc=0; "$G" archive clean --state clean.db > bad.out 2>&1 || rc=$?
expect_eq "$rc" 2 "archive without --out"

# --- 5. The report.
"$G" report clean --state clean.db > report.txt
grep -q "Migration clean: completed" report.txt || fail "report header: $(head -3 report.txt)"
grep -q "verification passed\|passed: 7 of 7" report.txt || fail "report lacks the verification"
grep -q "old datasets deleted by gc" report.txt || fail "report lacks gc"
"$G" report clean --state clean.db --html report.html > /dev/null
grep -q "<h1>Migration clean" report.html || fail "html report"

# --- 6. A faulty agent passes loose gates; verification catches it and nothing is cut over.
cp "$ROOT/tests/agents/faulty_agent.py" agent.py
cat > faulty.yaml <<EOF2
name: faulty
version: 2
agent: {exec: ./agent.py, version: "1.0.0"}
select: {match: {format: jsonl}}
transform:
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://$WORK/faulty-out/{id}/"}
fleet: {concurrency: 2, timeout: 60s, retries: {max: 0}}
gates: {checksum: false, distribution: {ks_max: 1, category_tv_max: 1, null_rate_delta_max: 1}}
verify: {sample: 0}
EOF2
# gc deleted most of the lake above: make it again for this migration.
for i in 0 1 2 3 4; do "$G" generate "lake/ds$i.jsonl" --profile events --rows 3000 --seed "$i" -q; done
"$G" generate lake/orders.jsonl --profile events --rows 2000 --seed 9 -q
rc=0
FAULTY_DATASET=ds0 FAULTY_KIND=shift "$G" run faulty.yaml --catalog catalog.yaml --state faulty.db --exit-when-paused \
  > faulty.out 2>&1 || rc=$?
expect_eq "$rc" 75 "exit code of a run paused by its final verification"
"$G" status faulty --state faulty.db --json > faulty.status
$PY - <<'PY' || fail "status after the failed verification"
import json, sqlite3
s = json.load(open("faulty.status"))
assert s["state"] == "paused", s["state"]
assert "final verification" in s["reason"] and "component:billing #1" in s["reason"], s["reason"]
db = sqlite3.connect("faulty.db")
assert db.execute("select count(*) from cutovers").fetchone()[0] == 0
assert db.execute("select format from entities where id='ds0'").fetchone()[0] == "jsonl"
PY
rc=0; "$G" verify faulty --state faulty.db -q > faulty-verify.out || rc=$?
expect_eq "$rc" 1 "exit code of gaggle verify on the faulty migration"
grep -q "^mismatched: component:billing query 1 (owner team-billing)" faulty-verify.out || fail "verify output: $(cat faulty-verify.out)"
grep -q "only in the old answer: ('" faulty-verify.out || fail "no example rows: $(cat faulty-verify.out)"
grep -q "^[a-z]*: component:dashboard" faulty-verify.out && fail "a query over untouched data was reported"
"$G" approve faulty --final --reason "the shift is intended" --state faulty.db > /dev/null
FAULTY_DATASET=ds0 FAULTY_KIND=shift "$G" run faulty.yaml --state faulty.db -q > faulty2.out 2>&1 || { cat faulty2.out; fail "run after approval"; }
cut=$($PY -c 'import sqlite3; print(sqlite3.connect("faulty.db").execute("select count(*) from cutovers where state=\"current\"").fetchone()[0])')
expect_eq "$cut" 6 "datasets cut over after the approval"
"$G" report faulty --state faulty.db | grep -q "final verification gate approved by" || fail "report lacks the approval"
echo "ok: verified 7 queries, cut over 6 datasets, patches apply, rollback restores, gc by retention, archive tamper-evident, faulty agent caught"
