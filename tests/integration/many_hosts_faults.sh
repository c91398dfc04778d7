#!/usr/bin/env bash
# Many hosts under fire: one coordinator (`gaggle run --local-workers 0 --standby`) and 4
# `gaggle worker` processes share a private PostgreSQL 15 cluster and migrate a 300-dataset
# estate (a lineage tree, 3 stages, the transform agent). Each process restarts when it dies,
# as under systemd's Restart=always. Meanwhile: kill -9 of a random worker 30 times and of the
# coordinator 5 times, a worker stopped (SIGSTOP) past its lease and then continued, PostgreSQL
# restarted with -m immediate, and a worker's connections dropped with pg_terminate_backend.
# The pause is aimed: the first worker is stopped while it migrates the root dataset (made
# large so that its agent runs for a second or more), so another worker must reclaim it and the
# paused one, once continued, must be fenced: it may neither publish nor record.
# Afterwards: every dataset is validated and has exactly one validation record and one
# "validated" event; every output matches its manifest (sizes and sha256); no dataset's output
# was committed by two recorded attempts or published twice; nothing is left running or queued;
# the event chain verifies.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
source "$ROOT/tests/postgres_lib.sh"
G="$1"
N=300
WORKERS=4
WORKER_KILLS=30
COORDINATOR_KILLS=5
LEASE=3
PY=/usr/bin/python3
DEADLINE=$(( $(date +%s) + 420 ))  # the whole fault phase and the finish, bounded

start_postgres
# Every process this test starts goes with it, whatever way it ends.
# (Each step `|| true`: under set -e a failing step would become the script's exit status.)
trap 'touch "$WORK/done" || true; kill $(jobs -p) 2>/dev/null || true
      pkill -KILL -f -- "--state $URL" 2>/dev/null || true; stop_postgres' EXIT
psql "$PG_ADMIN" -q -c "CREATE DATABASE g" > /dev/null
URL="postgresql://gaggle@127.0.0.1:$PG_PORT/g"

mkdir -p out
make_tree_estate "$G" "$N" 20000
"$G" generate lake/ds000.csv --profile events --rows 1500000 --seed 0 -q
{
  events_spec_head hosts "file://$WORK/out/{id}/"
  cat <<EOF2
rollout: {stages: [10%, 50%, 100%], canary: {tier: [low]}}
fleet: {concurrency: 8, timeout: 60s, retries: {max: 10, initial: 50ms}}
EOF2
} > spec.yaml

# Supervisors: each restarts its process until the migration is done (the file `done`).
supervise_worker() {  # supervise_worker I
  while [[ ! -e done && $(date +%s) -lt $DEADLINE ]]; do
    PGAPPNAME="gaggle-worker-w$1" "$G" worker --state "$URL" --name "w$1" --slots 1 --lease "$LEASE" \
      >> "w$1.log" 2>&1 &
    echo $! > "w$1.pid"
    wait $! || true
    sleep 0.2
  done
}
supervise_coordinator() {
  while [[ ! -e done && $(date +%s) -lt $DEADLINE ]]; do
    "$G" run spec.yaml --catalog catalog.yaml --state "$URL" --local-workers 0 --standby -q --exit-when-paused \
      >> coordinator.out 2>> coordinator.err &
    echo $! > coordinator.pid
    if wait $!; then touch done; fi
    sleep 0.2
  done
}
supervise_coordinator &
supervise_worker 1 &
for i in $(seq 1 300); do grep -q "claimed agent+validate hosts/ds000" w1.log 2>/dev/null && break; sleep 0.1; done
grep -q "claimed agent+validate hosts/ds000" w1.log || fail "worker w1 never claimed the root dataset"
kill -STOP "$(cat w1.pid)"
for i in $(seq 2 $WORKERS); do supervise_worker "$i" & done
sleep $((LEASE + 2))
kill -CONT "$(cat w1.pid)"
echo "stopped worker w1 for $((LEASE + 2)) s while it held the root dataset"

seed=4242
rand() { seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); echo $(( seed % $1 )); }
nap() { sleep "$(awk -v m="$1" 'BEGIN{printf "%.3f", m/1000}')"; }
worker_kills=0 coordinator_kills=0 step=0
while [[ $worker_kills -lt $WORKER_KILLS && ! -e done && $(date +%s) -lt $DEADLINE ]]; do
  nap $(( 150 + $(rand 300) ))
  step=$((step + 1))
  w=$(( 1 + $(rand $WORKERS) ))
  kill -9 "$(cat "w$w.pid")" 2>/dev/null && worker_kills=$((worker_kills + 1))
  if (( step % 6 == 3 && coordinator_kills < COORDINATOR_KILLS )); then
    kill -9 "$(cat coordinator.pid)" 2>/dev/null && coordinator_kills=$((coordinator_kills + 1))
  fi
  case $step in
    14)
      restart_postgres_immediately
      echo "restarted PostgreSQL (immediate)" ;;
    20)
      dropped=$(psql "$PG_ADMIN" -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                                          WHERE application_name = 'gaggle-worker-w2'")
      echo "dropped $dropped connections of worker w2" ;;
  esac
done
echo "faults: $worker_kills worker kills, $coordinator_kills coordinator kills, $step steps"
[[ $worker_kills -ge 20 ]] || fail "the migration ended before the faults did ($worker_kills worker kills): make it longer"
while [[ ! -e done && $(date +%s) -lt $DEADLINE ]]; do
  grep -q "needs attention" coordinator.out && { grep -A3 "needs attention" coordinator.out; fail "a dataset failed"; }
  sleep 0.5
done
[[ -e done ]] || { tail -20 coordinator.err; fail "the migration did not finish in time"; }
for i in $(seq 1 $WORKERS); do kill -TERM "$(cat "w$i.pid")" 2>/dev/null || true; done
wait

"$G" status hosts --state "$URL" --json > status.json
"$G" events --verify --state "$URL" > verify.out || fail "the event chain does not verify: $(cat verify.out)"
psql "$URL" -At -F ' ' -c "SELECT dataset_id, count(*) FROM validations WHERE migration = 'hosts' GROUP BY 1" \
  > validations.txt
psql "$URL" -At -F ' ' -c "SELECT dataset, count(*) FROM events WHERE migration = 'hosts' AND to_state = 'validated'
                           GROUP BY 1" > validated.txt
psql "$URL" -At -F '|' -c "SELECT dataset, detail FROM events WHERE migration = 'hosts' AND from_state = 'running'
                           AND to_state = 'validating'" > committed.txt
psql "$URL" -At -c "SELECT count(*) FROM work_items" > queue.txt
cat w*.log > workers.log
$PY - "$N" "$WORK" <<'PY' || fail "the record, the outputs and the manifests disagree"
import collections, hashlib, json, os, sys
n, work = int(sys.argv[1]), sys.argv[2]
status = json.load(open(f"{work}/status.json"))
assert status["succeeded"] == n, f"succeeded {status['succeeded']} != {n}"
assert status["running"] == [], status["running"]
def counts(path):
    return {l.split()[0]: int(l.split()[1]) for l in open(path) if l.strip()}
validations, validated = counts(f"{work}/validations.txt"), counts(f"{work}/validated.txt")
assert len(validations) == n and set(validations.values()) == {1}, {k: v for k, v in validations.items() if v != 1}
assert len(validated) == n and set(validated.values()) == {1}, {k: v for k, v in validated.items() if v != 1}
committed = collections.Counter()
for line in open(f"{work}/committed.txt"):
    dataset, detail = line.rstrip("\n").split("|", 1)
    if not json.loads(detail)["skipped"]:
        committed[dataset] += 1
assert all(v == 1 for v in committed.values()), {k: v for k, v in committed.items() if v != 1}
published = collections.Counter()
for line in open(f"{work}/workers.log"):
    if "published: agent+validate hosts/" in line:
        published[line.split("hosts/")[1].split(" ")[0]] += 1
assert all(v == 1 for v in published.values()), {k: v for k, v in published.items() if v != 1}
# The paused worker lost the root dataset to another one and was fenced: its lease ran out,
# it was told so (heartbeat or the check before publishing) and published nothing for it.
w1 = open(f"{work}/w1.log").read()
assert "lease lost on work item" in w1 or "lost its lease" in w1, "the paused worker never learned it lost its lease"
assert "published: agent+validate hosts/ds000 " not in w1.split("claimed agent+validate hosts/ds000", 1)[1].split("claimed", 1)[0], \
    "the paused worker published the root dataset after losing its lease"
fenced = sum(l.startswith("gaggle worker: fenced:") for l in open(f"{work}/workers.log"))
assert int(open(f"{work}/queue.txt").read()) == 0, "work items left in the queue"
for i in range(n):
    d = f"{work}/out/ds{i:03d}"
    m = json.load(open(f"{d}/_gaggle_manifest.json"))
    for f in m["outputs"]:
        data = open(f"{d}/{f['path']}", "rb").read()
        assert len(data) == f["bytes"] and hashlib.sha256(data).hexdigest() == f["sha256"], (d, f["path"])
print(f"{n} datasets validated once; outputs published by a recorded attempt: {len(committed)}; "
      f"publish lines: {sum(published.values())}; results refused by the fence: {fenced}")
PY
leftovers=$(find out -maxdepth 2 -path '*.gaggle-work*' | wc -l)
expect_eq "$leftovers" 0 "staging leftovers"
reclaimed=$(( $(grep -c '"lease_expired"' gaggle-logs/hosts/run.jsonl || true) + $(grep -c "after an expired lease" workers.log || true) ))
[[ $reclaimed -ge 3 ]] || fail "expired leases were returned only $reclaimed times after 30 worker kills"
echo "ok: $N datasets, $worker_kills worker kills, $coordinator_kills coordinator kills"
