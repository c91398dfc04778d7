#!/usr/bin/env bash
# The after-migration test once more with an S3 estate (issue 17), on s3rver (signatures
# checked): the consumers' queries of after_migration.sh are verified by the final gate
# against outputs committed in s3:// (read through gaggle's own client into DuckDB), and the
# catalog is cut over to them; a rollback during retention quarantines an output by
# server-side copy and points the catalog back, and the next run migrates, verifies and cuts
# it over again; gc after the retention deletes the old data and leaves the new objects; the
# audit archive verifies and holds every commit record. Then the same estate as s3:// sources
# with s3:// targets (both sides of verification in object storage), and a faulty external
# agent writing s3:// outputs that pass loose gates: verification catches it and nothing is
# cut over.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/s3_lib.sh"
source "$ROOT/tests/after_migration_lib.sh"
G="$1"
PY=python3
trap stop_server EXIT
[[ $HAVE_BOTO3 -eq 1 ]] || { echo "skipped: Python's boto3 (the independent reader) is not installed"; exit 0; }

make_lake

write_catalog catalog.yaml "file://$WORK/lake"

# write_spec FILE NAME TARGET_PREFIX
write_spec() {
  cat > "$1" <<EOF2
name: $2
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
target: {format: parquet, compression: zstd, uri: "s3://lake/$3/{id}/"}
rollout: {stages: [50%, 100%], seed: 1}
fleet: {concurrency: 2, timeout: 60s}
verify: {sample: 0, seed: 3, table: "v{version}.{name}"}
retention: 30d
EOF2
}

start_server s3rver
make_bucket
write_spec clean.yaml clean v2

# --- 1. The run's final gate verifies every consumer query on the s3:// outputs, then cuts over.
timeout 600 "$G" run clean.yaml --catalog catalog.yaml --state clean.db --exit-when-paused > clean.out 2>&1 ||
  { cat clean.out; fail "clean run"; }
grep -q "final gate passed: 7 of 7 consumer queries verified: 7 same answer" clean.out || { cat clean.out; fail "final gate summary"; }
check_object_commits v2 final > commits.json || fail "the object store disagrees with the manifests"
$PY - "$WORK" <<'PY' || fail "catalog after the cut-over"
import json, sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect("clean.db")
rows = dict((r[0], r[1:]) for r in db.execute("select id, uri, format, schema_version from entities where kind='dataset'"))
for i in range(5):
    uri, fmt, version = rows[f"ds{i}"]
    assert uri.rstrip("/") == f"s3://lake/v2/ds{i}" and fmt == "parquet" and version == 2, rows[f"ds{i}"]
assert rows["ref.countries"] == (f"file://{work}/lake/countries.csv", "csv", 1), rows["ref.countries"]
cut = list(db.execute("select dataset_id, state from cutovers order by dataset_id"))
assert len(cut) == 6 and all(c[1] == "current" for c in cut), cut
v = list(db.execute("select passed, sampled, matched from verifications"))
assert v == [(1, 7, 7)], v
commits = json.load(open("commits.json"))
assert sorted(k for k in commits if not k.startswith("_")) == ["ds0", "ds1", "ds2", "ds3", "ds4", "sales.orders"], commits
PY
# Verification on demand reads them again (the same answers), the endpoint given by its flag.
env -u GAGGLE_S3_ENDPOINT "$G" verify clean --state clean.db -q --s3-endpoint "$GAGGLE_S3_ENDPOINT" > verify-again.out ||
  { cat verify-again.out; fail "gaggle verify --s3-endpoint on s3:// outputs"; }

# --- 2. A rollback during retention quarantines ds4's output and points the catalog back.
"$G" rollback clean --datasets ds4 --state clean.db --reason "consumer asked" > rollback.out 2>&1 ||
  { cat rollback.out; fail "rollback"; }
grep -q "1 catalog entries point at them again" rollback.out || fail "rollback output: $(cat rollback.out)"
uri=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select uri, format from entities where id=\"ds4\"").fetchone())')
expect_eq "$uri" "('file://$WORK/lake/ds4.jsonl', 'jsonl')" "ds4 after the rollback"
check_object_commits v2 final > after-rollback.json || fail "the object store after the rollback"
$PY -c 'import json; c = json.load(open("after-rollback.json")); assert "ds4" not in c, c' ||
  fail "ds4's output is still committed at its target after the rollback"
q=$(grep -o "v2/_gaggle_quarantine/clean/[^/]*" rollback.out | head -1)
[[ -n "$q" ]] || { cat rollback.out; fail "rollback named no quarantine"; }
check_object_commits "$q" final > quarantine.json || fail "the quarantined output does not check out"
$PY -c 'import json, sys; c = json.load(open("quarantine.json")); assert "ds4" in c, c' || fail "ds4 is not in the quarantine"

# Run again: ds4 is migrated again, verified and cut over; the migration completes.
timeout 600 "$G" run clean.yaml --state clean.db -q > rerun.out 2>&1 || { cat rerun.out; fail "run after the rollback"; }
uri=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select uri from entities where id=\"ds4\"").fetchone()[0])')
[[ "${uri%/}" == "s3://lake/v2/ds4" ]] || fail "ds4 after running again: $uri"
v=$($PY -c 'import sqlite3; print(sqlite3.connect("clean.db").execute("select count(*), sum(passed) from verifications").fetchone())')
[[ "$v" == "(2, 2)" || "$v" == "(3, 3)" ]] || fail "verifications after the rerun: $v"

# --- 3. gc after the retention deletes the local old data, never the new objects.
later=$($PY -c 'import datetime; print((datetime.datetime.utcnow() + datetime.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
"$G" gc --now "$later" --state clean.db > gc.out || { cat gc.out; fail "gc"; }
grep -q "^6 old datasets deleted" gc.out || fail "gc: $(cat gc.out)"
for f in ds0 ds1 ds2 ds3 ds4 orders; do [[ ! -e lake/$f.jsonl ]] || fail "gc kept lake/$f.jsonl"; done
[[ -f lake/countries.csv ]] || fail "gc deleted a dataset that was never migrated"
check_object_commits v2 final > after-gc.json || fail "gc touched the new objects"
cmp -s <($PY -c 'import json; c = json.load(open("commits.json")); c.pop("ds4"); print(sorted(c.items()))') \
  <($PY -c 'import json; c = json.load(open("after-gc.json")); c.pop("ds4"); print(sorted(c.items()))') ||
  fail "the committed outputs changed between the cut-over and gc"

# --- 4. The audit archive verifies and holds every output's commit record.
"$G" archive clean --out clean.tar.zst --state clean.db > archive.out || { cat archive.out; fail "archive"; }
"$G" archive verify clean.tar.zst > verify.out || { cat verify.out; fail "archive verify"; }
grep -q "archive intact" verify.out || fail "archive verify said: $(cat verify.out)"
mkdir x && tar --zstd -xf clean.tar.zst -C x
[[ $(grep -l '"attempt"' x/manifests/*.json | wc -l) -eq 6 ]] || fail "the archive lacks the outputs' commit records"

# --- 5. Both sides in object storage: the lake as s3:// sources, s3:// targets.
make_lake
$PY -c 'import boto3, os, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for f in sorted(os.listdir("lake")): s3.upload_file("lake/" + f, "lake", "raw/" + f)' "$GAGGLE_S3_ENDPOINT"
write_catalog catalog-s3.yaml "s3://lake/raw"
write_spec both.yaml both v3
timeout 600 "$G" run both.yaml --catalog catalog-s3.yaml --state both.db --exit-when-paused > both.out 2>&1 ||
  { cat both.out; fail "run from s3:// sources to s3:// targets"; }
grep -q "final gate passed: 7 of 7 consumer queries verified: 7 same answer" both.out || { cat both.out; fail "final gate of s3 -> s3"; }
check_object_commits v3 final > both.json || fail "s3 -> s3: the object store disagrees with the manifests"

# --- 6. A faulty external agent writes s3:// outputs that pass loose gates; verification
# catches it and nothing is cut over.
cp "$ROOT/tests/agents/faulty_agent.py" agent.py
cat > faulty.yaml <<EOF2
name: faulty
version: 2
agent: {exec: ./agent.py, version: "1.0.0"}
select: {match: {format: jsonl}}
transform:
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "s3://lake/faulty/{id}/"}
fleet: {concurrency: 2, timeout: 60s, retries: {max: 0}}
gates: {checksum: false, distribution: {ks_max: 1, category_tv_max: 1, null_rate_delta_max: 1}}
verify: {sample: 0}
EOF2
rc=0
FAULTY_DATASET=ds0 FAULTY_KIND=shift timeout 600 "$G" run faulty.yaml --catalog catalog.yaml --state faulty.db \
  --exit-when-paused > faulty.out 2>&1 || rc=$?
expect_eq "$rc" 75 "exit code of a run paused by its final verification ($(tail -3 faulty.out))"
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
grep -q "^[a-z]*: component:dashboard" faulty-verify.out && fail "a query over untouched data was reported"
check_object_commits faulty final > faulty.json || fail "the faulty agent's outputs are not clean commits"
echo "ok (s3rver): 7 queries verified on s3:// outputs (local and s3:// sources), cut over 6 datasets, rollback quarantines and restores, gc by retention, archive holds the commits, faulty agent caught"
