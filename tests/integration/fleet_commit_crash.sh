#!/usr/bin/env bash
# Group commit under kill -9 (issue 19): the runner records a turn's completions in one
# transaction, after the agents' work is done and published. Here it is killed exactly
# there, again and again (GAGGLE_INJECT_FAULTS=crash-before-commit:K: SIGKILL right before
# the K-th recording, fleet/fault_injection.h). After each kill, the completions it was about
# to record are not in the store (their tasks are still running or validating); the next run
# recovers them without spending a retry and finds their outputs current. In the end every
# dataset is migrated exactly once, as fleet_crash.sh checks after random kills.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
G="$1"
N=60
ROWS=20000
mkdir -p out

make_tree_estate "$G" "$N" "$ROWS"
{
  events_spec_head commit-crash "file://$WORK/out/{id}/"
  cat <<EOF2
rollout: {stages: [10%, 100%], canary: {tier: [low]}}
fleet: {concurrency: 4, timeout: 60s, retries: {max: 1, initial: 10ms}}
EOF2
} > spec.yaml

kills=0
for k in 1 2 3 5 8 4 6 2; do
  code=0
  GAGGLE_INJECT_FAULTS="crash-before-commit:$k" "$G" run spec.yaml --catalog catalog.yaml --state state.db -q \
    --exit-when-paused > "run-$k.out" 2> "run-$k.err" || code=$?
  if [[ $code -eq 0 ]]; then echo "run with K=$k finished before its K-th recording"; break; fi
  [[ $code -eq 137 ]] || { cat "run-$k.err"; fail "run with K=$k exited $code, not by SIGKILL"; }
  kills=$((kills + 1))
  line=$(grep -h "crash drill: SIGKILL before recording" "run-$k.err") || fail "run $k died without the drill's line"
  # Every dataset of the unrecorded batch is still running or validating in the store.
  for ds in ${line#*completion(s):}; do
    state=$(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect("state.db").execute(
      "SELECT state FROM tasks WHERE migration = ? AND dataset_id = ?", ("commit-crash", sys.argv[1])).fetchone()[0])' "$ds")
    [[ $state == running || $state == validating ]] || fail "K=$k: $ds is $state: its completion was recorded before the kill"
  done
done
[[ $kills -ge 5 ]] || fail "expected at least 5 drill kills, saw $kills"
"$G" run spec.yaml --state state.db -q --exit-when-paused > final.out 2> final.err || { cat final.err final.out; fail "final run failed"; }

check_migrated_exactly_once "$G" commit-crash "$N" "$ROWS"
recovered=$(grep -c '"event":"recovered_tasks"' gaggle-logs/commit-crash/run.jsonl || true)
[[ "$recovered" -ge "$kills" ]] || fail "expected every run after a kill to recover tasks, saw $recovered of $kills"
echo "ok: $N datasets, $kills kills right before a group commit, $recovered recoveries"
