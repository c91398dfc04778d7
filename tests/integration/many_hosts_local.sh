#!/usr/bin/env bash
# The many-host path on one machine: the demo estate (30 datasets, its planted faults) run on
# a private PostgreSQL 15 cluster by a coordinator with 2 worker slots in its own process
# (`--local-workers 2`) ends exactly as the same run in one process on SQLite: the same
# datasets migrated, the same ones needing attention, the same rows. `gaggle workers` lists
# the in-process worker with its reported results (one per attempt, with its validation); `gaggle worker` and `--local-workers`
# refuse a SQLite state with a message that says why; the event chain verifies.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/postgres_lib.sh"
G="$1"
PY=/usr/bin/python3

start_postgres
psql "$PG_ADMIN" -q -c "CREATE DATABASE g" > /dev/null
URL="postgresql://gaggle@127.0.0.1:$PG_PORT/g"

"$G" generate-estate one --datasets 30 --size-scale 0.01 -q
"$G" generate-estate many --datasets 30 --size-scale 0.01 -q
"$G" run one/migration.yaml --catalog one/catalog --state one.db -q --exit-when-paused --logs one-logs \
  > one.out 2>&1 || true
"$G" run many/migration.yaml --catalog many/catalog --state "$URL" --local-workers 2 -q --exit-when-paused \
  --logs many-logs > many.out 2> many.err || true
"$G" status events-v2 --state one.db --json > one.json
"$G" status events-v2 --state "$URL" --json > many.json
$PY - <<'PY' || fail "the run through workers ended differently from the run in one process"
import json
def outcome(path):
    s = json.load(open(path))
    counts = {}
    for st in s["stages"]:
        for k, v in st["counts"].items():
            counts[k] = counts.get(k, 0) + v
    rows = sum(st.get("rows_out", 0) for st in s["stages"])
    return counts, sorted(a["dataset"] for a in s["needs_attention"]), rows
a, b = outcome("one.json"), outcome("many.json")
assert a == b, (a, b)
assert a[0].get("validated", 0) >= 25, a
print("same outcome:", a)
PY
"$G" workers --state "$URL" --json > workers.json
$PY - <<'PY' || fail "gaggle workers"
import json
w = json.load(open("workers.json"))
assert len(w) == 1 and w[0]["name"].endswith(":local") and w[0]["reported"] >= 30 and w[0]["fenced"] == 0, w
PY
"$G" events --verify --state "$URL" > /dev/null || fail "the event chain does not verify"
if "$G" worker --state one.db > w.out 2>&1; then fail "a worker accepted a SQLite state"; fi
grep -q "needs a PostgreSQL state" w.out || fail "unclear refusal: $(cat w.out)"
if "$G" run one/migration.yaml --state one.db --local-workers 0 > r.out 2>&1; then fail "--local-workers on SQLite"; fi
grep -q "PostgreSQL" r.out || fail "unclear refusal: $(cat r.out)"
echo "ok"
