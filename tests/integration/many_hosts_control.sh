#!/usr/bin/env bash
# Operating a many-host migration from another host (issue 16): a coordinator with no agents
# of its own and two `gaggle worker` processes share a private PostgreSQL 15 cluster; a third
# process (an operator's host: it shares only the state URL) pauses the migration, changes
# its concurrency, resumes it and cancels it. Checked: no attempt starts and no work stays
# queued or claimed while paused; the concurrency change reaches the coordinator; after the
# cancel the coordinator exits, nothing is running, the queue is empty, every dataset that
# was migrated was validated once, and the event chain verifies. The spec routes its work to
# workers labelled region=eu: a third worker, labelled region=us, runs nothing.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
source "$ROOT/tests/postgres_lib.sh"
G="$1"
N=40
PY=/usr/bin/python3

start_postgres
pids=()
cleanup() {
  [[ ${#pids[@]} -gt 0 ]] && kill -KILL "${pids[@]}" 2> /dev/null
  stop_postgres
}
trap cleanup EXIT
psql "$PG_ADMIN" -q -c "CREATE DATABASE g" > /dev/null
URL="postgresql://gaggle@127.0.0.1:$PG_PORT/g"
q() { psql "$URL" -Atc "$1"; }

mkdir -p out
make_tree_estate "$G" "$N" 20000  # lake/ds000.csv ... and catalog.yaml (tests/estate_lib.sh)
{
  events_spec_head ctl "file://$WORK/out/{id}/"
  cat <<EOF
rollout: {stages: [100%]}
fleet: {concurrency: 1, timeout: 60s, worker_labels: {region: eu}}
gates: {max_failed_datasets: 10%}
EOF
} > spec.yaml

"$G" plan spec.yaml --catalog catalog.yaml --state "$URL" > /dev/null 2>&1 || fail "plan on PostgreSQL"
for w in 1 2; do
  "$G" worker --state "$URL" --slots 2 --name "host-b$w" --labels "zone=$w,region=eu" --artifacts wlogs \
    > "worker$w.log" 2>&1 &
  pids+=($!)
done
"$G" worker --state "$URL" --slots 2 --name host-us --labels region=us --artifacts wlogs > worker-us.log 2>&1 &
pids+=($!)
"$G" run spec.yaml --state "$URL" --local-workers 0 --logs clogs -q > run.out 2> run.err &
coordinator=$!
pids+=("$coordinator")

validated() { q "SELECT count(*) FROM tasks WHERE migration = 'ctl' AND state = 'validated'"; }
wait_for() {  # wait_for WHAT CONDITION...: up to 60 s
  local what="$1"
  shift
  for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for $what (run.err: $(tail -3 run.err))"
}
at_least() { [[ "$(validated)" -ge "$1" ]]; }

wait_for "two validated datasets" at_least 2
"$G" pause ctl --state "$URL" --reason "from the operator's host" > pause.out || fail "pause: $(cat pause.out)"
# The attempt running at the pause finishes; then nothing starts, nothing is queued or held.
settled() { [[ "$(q "SELECT count(*) FROM tasks WHERE migration = 'ctl' AND state IN ('running', 'validating')")" == 0 ]]; }
wait_for "the running attempt to finish after the pause" settled
before=$(validated)
sleep 1.5
expect_eq "$(validated)" "$before" "datasets validated while paused"
echo "paused with $before of $N validated"
expect_eq "$(q "SELECT count(*) FROM work_items WHERE state IN ('queued', 'claimed')")" 0 "work queued or held while paused"
"$G" status ctl --state "$URL" | grep -q "ctl: paused (from the operator's host)" || fail "status while paused"

"$G" fleet set ctl --concurrency 3 --state "$URL" > /dev/null || fail "fleet set"
"$G" resume ctl --state "$URL" > /dev/null || fail "resume"
wait_for "progress after the resume" at_least $((before + 6))
grep -q '"concurrency_changed"' clogs/ctl/run.jsonl || fail "the coordinator did not apply the new concurrency"
expect_eq "$(q "SELECT concurrency FROM runs WHERE migration = 'ctl'")" 3 "the run's concurrency"

echo "cancelling with $(validated) of $N validated"
"$G" cancel ctl --state "$URL" --reason "wrong window" > /dev/null || fail "cancel"
for _ in $(seq 300); do kill -0 "$coordinator" 2> /dev/null || break; sleep 0.1; done
kill -0 "$coordinator" 2> /dev/null && fail "the coordinator still runs 30 s after the cancel"
rc=0
wait "$coordinator" || rc=$?
[[ "$rc" -eq 0 || "$rc" -eq 1 ]] || fail "coordinator exit code $rc after cancel: $(tail -5 run.err)"
"$G" status ctl --state "$URL" --json > status.json
$PY - <<'PY' || fail "status after the cancel"
import json
s = json.load(open("status.json"))
assert s["state"] == "cancelled", s["state"]
counts = {}
for st in s["stages"]:
    for k, v in st["counts"].items():
        counts[k] = counts.get(k, 0) + v
assert counts.get("cancelled", 0) >= 1, counts
assert counts.get("running", 0) == 0 and counts.get("validating", 0) == 0, counts
assert counts.get("validated", 0) + counts.get("cancelled", 0) == 40, counts
PY
expect_eq "$(q "SELECT count(*) FROM work_items")" 0 "work items left after the cancel"
# Every validated dataset was validated once, by the one item that also ran its attempt.
expect_eq "$(q "SELECT count(*) FROM (SELECT dataset_id FROM validations WHERE migration = 'ctl' GROUP BY dataset_id HAVING count(*) > 1) d")" 0 \
  "datasets validated more than once"
expect_eq "$(q "SELECT count(DISTINCT dataset_id) FROM validations WHERE migration = 'ctl'")" "$(validated)" \
  "validation records against validated datasets"
"$G" workers --state "$URL" --json > workers.json
cancelled=$(q "SELECT count(*) FROM tasks WHERE migration = 'ctl' AND state = 'cancelled'")
$PY - "$(validated)" "$cancelled" <<'PY' || fail "gaggle workers after the run"
import sys
import json
w = json.load(open("workers.json"))
assert sorted(x["name"] for x in w) == ["host-b1", "host-b2", "host-us"], w
# A result is refused (fenced) only for an item the cancel took from its worker mid-attempt.
assert sum(x["fenced"] for x in w) <= int(sys.argv[2]), w
by = {x["name"]: x for x in w}
assert by["host-us"]["reported"] == 0, by["host-us"]
assert by["host-b1"]["labels"] == "region=eu,zone=1", by["host-b1"]
assert by["host-b1"]["reported"] + by["host-b2"]["reported"] >= int(sys.argv[1]), w
PY
"$G" events --verify --state "$URL" > /dev/null || fail "the event chain does not verify"
echo "ok"
