#!/usr/bin/env bash
# The fleet crash test once more with an S3 estate (issue 17): `gaggle run` of a lineage tree
# of 40 datasets (3 stages; the first three with outputs large enough for multipart uploads)
# into s3:// targets is killed with SIGKILL at random moments and
# restarted each time, on moto's server (it lists incomplete multipart uploads) or, where
# moto is absent, on s3rver (the script prints which). After every kill, every dataset that
# shows a commit checks out (boto3: its attempt's listing is exactly its manifest's objects,
# sha256s match). In the end: every dataset validated exactly once (one "validated" event),
# at most one recorded attempt wrote each output, each committed manifest's counts agree with
# its task's, one attempt per dataset, no incomplete multipart upload, no staging leftovers,
# and nothing is left running.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
source "$ROOT/tests/s3_lib.sh"
G="$1"
N=40
ROWS=40000
KILLS=12
PY=python3
trap stop_server EXIT
[[ $HAVE_BOTO3 -eq 1 ]] || { echo "skipped: Python's boto3 (the independent reader) is not installed"; exit 0; }

BIG_ROWS=400000  # ds000..ds002: outputs of ~13 MB uncompressed, multipart uploads of 2 parts
make_tree_estate "$G" "$N" "$ROWS"
for i in 0 1 2; do "$G" generate "lake/ds00$i.csv" --profile events --rows "$BIG_ROWS" --seed "$i" -q; done
kind=moto
if ! start_server moto; then
  echo "moto: not installed on this machine; using s3rver (incomplete uploads cannot be listed there)"
  kind=s3rver
  start_server s3rver
fi
make_bucket
mkdir -p tmp
export TMPDIR="$WORK/tmp"  # the agents stage object-store outputs under it
{
  events_spec_head s3-crash "s3://lake/v2/{id}/" none '{amount_cents: "amount * 100"}'
  cat <<EOF2
rollout: {stages: [10%, 50%, 100%], canary: {tier: [low]}}
fleet: {concurrency: 2, timeout: 60s, retries: {max: 2, initial: 10ms}}
EOF2
} > spec.yaml

seed=777
for k in $(seq 1 $KILLS); do
  "$G" run spec.yaml --catalog catalog.yaml --state state.db -q --exit-when-paused > /dev/null 2> "run-$k.err" &
  pid=$!
  seed=$(((seed * 1103515245 + 12345) % 2147483648))
  sleep "$(awk -v m=$((300 + seed % 1200)) 'BEGIN{printf "%.3f", m/1000}')"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  check_object_commits v2 partial > "partial-$k.json" || fail "after kill $k: a commit does not check out"
  $PY -c 'import json, sys; c = json.load(open(sys.argv[1]))
print("kill " + sys.argv[2] + ":", len([k for k in c if not k.startswith("_")]), "datasets committed,", c["_stale_attempts"], "abandoned attempts, incomplete uploads:", c["_uploads"])' "partial-$k.json" "$k"
done
if grep -h "gaggle: error" run-*.err; then fail "a run failed on its own before it was killed"; fi
echo "killed $KILLS times; finishing"
timeout 600 "$G" run spec.yaml --state state.db -q --exit-when-paused > final.out 2> final.err ||
  { cat final.err final.out; fail "final run failed"; }

check_object_commits v2 final > final.json || fail "the object store disagrees with the manifests after the final run"
"$G" status s3-crash --state state.db --json > status.json
$PY - "$N" "$ROWS" "$BIG_ROWS" <<'PY' || fail "state, event log and committed manifests disagree"
import json, sqlite3, sys
n, rows, big_rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
status = json.load(open("status.json"))
assert status["succeeded"] == n, f"succeeded {status['succeeded']} != {n}"
assert status["running"] == [], status["running"]
db = sqlite3.connect("state.db")
states = dict(db.execute("SELECT state, count(*) FROM tasks WHERE migration = 's3-crash' GROUP BY state"))
assert states == {"validated": n}, states
validated = dict(db.execute(
    "SELECT dataset, count(*) FROM events WHERE migration = 's3-crash' AND to_state = 'validated' GROUP BY dataset"))
assert len(validated) == n and set(validated.values()) == {1}, {k: v for k, v in validated.items() if v != 1}
committed = {}
for dataset, detail in db.execute("SELECT dataset, detail FROM events WHERE migration = 's3-crash' "
                                  "AND from_state = 'running' AND to_state = 'validating'"):
    if not json.loads(detail)["skipped"]:
        committed[dataset] = committed.get(dataset, 0) + 1
assert all(v == 1 for v in committed.values()), {k: v for k, v in committed.items() if v != 1}
store = json.load(open("final.json"))
for dataset, rows_out, rows_in in db.execute("SELECT dataset_id, rows_out, rows_in FROM tasks WHERE migration = 's3-crash'"):
    m = store[dataset]
    want = big_rows if dataset in ("ds000", "ds001", "ds002") else rows
    assert m["rows_out"] == rows_out and m["rows_in"] == rows_in == want, (dataset, m, rows_out, rows_in)
assert len([k for k in store if not k.startswith("_")]) == n, sorted(store)
assert store["_stale_attempts"] == 0, store["_stale_attempts"]
kills = db.execute("SELECT count(*) FROM events WHERE migration = 's3-crash' AND from_state = 'running' "
                   "AND to_state = 'pending'").fetchone()[0]
print(f"outputs written by a recorded attempt: {len(committed)}; by an attempt killed before its record: "
      f"{n - len(committed)}; tasks recovered from killed runners: {kills}; incomplete uploads: {store['_uploads']}")
PY
leftovers=$(find tmp -path '*gaggle-object-staging*' -name '*.gaggle-work*' | wc -l)
expect_eq "$leftovers" 0 "staging leftovers"
recovered=$(grep -c '"event":"recovered_tasks"' gaggle-logs/s3-crash/run.jsonl || true)
[[ "$recovered" -ge 2 ]] || fail "expected several runs to recover tasks of killed runners, saw $recovered"
echo "ok ($kind): $N datasets into s3://, $KILLS kills, $recovered recoveries; every commit checks out, one attempt each"
