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
mkdir -p out

# The estate: distinct small CSV event logs (different seeds), and a native catalog in which
# dataset i reads dataset (i-1)/3 — a tree 5 levels deep.
make_tree_estate "$G" "$N" 40000
{
  events_spec_head crash-test "file://$WORK/out/{id}/" zstd '{amount_cents: "amount * 100"}'
  cat <<EOF2
rollout: {stages: [10%, 50%, 100%], canary: {tier: [low]}}
fleet: {concurrency: 1, timeout: 60s, retries: {max: 2, initial: 10ms}}
EOF2
} > spec.yaml

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

check_migrated_exactly_once "$G" crash-test "$N" 40000
recovered=$(grep -c '"event":"recovered_tasks"' gaggle-logs/crash-test/run.jsonl || true)
[[ "$recovered" -ge 3 ]] || fail "expected several runs to recover tasks of killed runners, saw $recovered"
echo "ok: $N datasets, $KILLS kills, $recovered recoveries"
