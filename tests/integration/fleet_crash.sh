#!/usr/bin/env bash
# Crash safety of `gaggle run`: a migration of 220 datasets (a lineage tree, 3 stages) is
# killed with SIGKILL at random moments 24 times and restarted each time. In the end every
# dataset is migrated exactly once (one committed attempt and one validation each, and its
# manifest agrees with the task's counts), no staging leftovers remain, and no task is stuck running.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
G="$1"
N=220
KILLS=24
PY=/usr/bin/python3
mkdir -p out

# The estate: distinct small CSV event logs (different seeds), and a native catalog in which
# dataset i reads dataset (i-1)/3 — a tree 5 levels deep.
make_tree_estate "$G" "$N" 40000
cat > spec.yaml <<EOF2
name: crash-test
version: 2
agent: {builtin: transform}
select: {match: {id: "*"}}
transform:
  rename: {user_id: account_id}
  cast: {amount: double}
  derive: {amount_cents: "amount * 100"}
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://$WORK/out/{id}/"}
dead_letter: {max_fraction: 0.05}
rollout: {stages: [10%, 50%, 100%], canary: {tier: [low]}}
fleet: {concurrency: 1, timeout: 60s, retries: {max: 2, initial: 10ms}}
EOF2

seed=12345
for k in $(seq 1 $KILLS); do
  "$G" run spec.yaml --catalog catalog.yaml --state state.db -q --exit-when-paused > /dev/null 2> "run-$k.err" &
  pid=$!
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  delay_ms=$(( 200 + seed % 700 ))
  sleep "$(awk -v m="$delay_ms" 'BEGIN{printf "%.3f", m/1000}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
if grep -h "gaggle: error" run-*.err; then fail "a run failed on its own before it was killed"; fi
echo "killed $KILLS times; finishing"
"$G" run spec.yaml --state state.db -q --exit-when-paused > final.out 2> final.err || { cat final.err final.out; fail "final run failed"; }

"$G" status crash-test --state state.db --json > status.json
$PY - "$N" "$WORK" <<'PY' || fail "state, event log and manifests disagree"
import json, os, sqlite3, sys
n, work = int(sys.argv[1]), sys.argv[2]
status = json.load(open(f"{work}/status.json"))
assert status["succeeded"] == n, f"succeeded {status['succeeded']} != {n}"
assert status["running"] == [], status["running"]
db = sqlite3.connect(f"{work}/state.db")
states = dict(db.execute("SELECT state, count(*) FROM tasks WHERE migration = 'crash-test' GROUP BY state"))
assert states == {"validated": n}, states
validated = dict(db.execute(
    "SELECT dataset, count(*) FROM events WHERE migration = 'crash-test' AND to_state = 'validated' GROUP BY dataset"))
assert len(validated) == n and set(validated.values()) == {1}, {k: v for k, v in validated.items() if v != 1}
# Exactly once: at most one recorded attempt per dataset wrote an output (skipped=false). An
# attempt killed after its commit but before its record leaves none: the next attempt finds
# the output current (skipped=true) and does not write it again.
committed = {}
for dataset, detail in db.execute("SELECT dataset, detail FROM events WHERE migration = 'crash-test' "
                                  "AND from_state = 'running' AND to_state = 'validating'"):
    if not json.loads(detail)["skipped"]:
        committed[dataset] = committed.get(dataset, 0) + 1
assert all(v == 1 for v in committed.values()), {k: v for k, v in committed.items() if v != 1}
print(f"outputs written by a recorded attempt: {len(committed)}; by an attempt killed before its record: "
      f"{n - len(committed)}")
kills = db.execute("SELECT count(*) FROM events WHERE migration = 'crash-test' AND from_state = 'running' "
                   "AND to_state = 'pending'").fetchone()[0]
print(f"tasks recovered from killed runners: {kills}")
for dataset, rows_out, rows_in in db.execute("SELECT dataset_id, rows_out, rows_in FROM tasks WHERE migration = 'crash-test'"):
    m = json.load(open(f"{work}/out/{dataset}/_gaggle_manifest.json"))
    counts = m["counts"]
    assert counts["rows_out"] == rows_out and counts["rows_in"] == rows_in == 40000, (dataset, counts, rows_out)
print("every dataset migrated exactly once; manifests agree")
PY
leftovers=$(find out -maxdepth 2 -path '*.gaggle-work*' | wc -l)
expect_eq "$leftovers" 0 "staging leftovers"
recovered=$(grep -c '"event":"recovered_tasks"' gaggle-logs/crash-test/run.jsonl || true)
[[ "$recovered" -ge 3 ]] || fail "expected several runs to recover tasks of killed runners, saw $recovered"
echo "ok: $N datasets, $KILLS kills, $recovered recoveries"
