#!/usr/bin/env bash
# `--state postgres://...`: a real single-host state (a small demo-estate run on SQLite)
# copied to a private PostgreSQL 15 cluster with `gaggle state copy` reads the same there —
# status, the event log with every hash, its verification — and the PostgreSQL state goes
# on working (an operator command); the same run made directly on PostgreSQL ends the same.
# `gaggle serve --state postgres://...` serves the copied state: /healthz, /readyz and the
# API with a token made by `gaggle token create` on the same URL, then stops on SIGTERM.
# A non-empty target is refused, and no message shows the password.
# Skips (exit 0 with a note) only when PostgreSQL's server binaries are absent.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "skip: PostgreSQL's server binaries are not installed (Debian package postgresql)"
  exit 0
fi
# The cluster: initdb as the postgres user when root (initdb refuses root) in a directory of
# its own (the work directory is private), 127.0.0.1 and a socket there only, stopped and
# removed when the test exits.
pg=$(mktemp -d /tmp/gaggle-it-pg-XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$pg"
  as_pg=(runuser -u postgres --)
fi
(cd / && "${as_pg[@]}" "$bin/initdb" -D "$pg/data" -U gaggle --auth=trust -E UTF8 --no-locale --no-sync) > initdb.log
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '(cd / && "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" -m fast -w stop > /dev/null 2>&1); rm -rf "$pg"' EXIT
(cd / && "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg -c fsync=off" start) > /dev/null
psql "postgresql://gaggle@127.0.0.1:$port/postgres" -q -c "CREATE DATABASE g" > /dev/null
URL="postgresql://gaggle:not-the-password@127.0.0.1:$port/g"
SHOWN="postgresql://gaggle@127.0.0.1:$port/g"

# A real state: the demo estate (10 datasets, two planted failures) run on SQLite.
"$G" generate-estate estate --datasets 10 --size-scale 0.01 -q
"$G" run estate/migration.yaml --catalog estate/catalog --state state.db -q --exit-when-paused > run.out 2>&1 || true
"$G" status events-v2 --state state.db --json > status.sqlite.json

"$G" state copy state.db "$URL" --json > copy.json 2> copy.err || fail "state copy: $(cat copy.err)"
$PY - <<'PY' || fail "the copy's summary"
import json
c = json.load(open("copy.json"))
assert c["tasks"] == 10 and c["runs"] == 1 and c["plans"] >= 1, c
assert c["entities"] > 10 and c["events"] > 20 and c["validations"] >= 8, c
PY
grep -q "not-the-password" copy.json copy.err && fail "the password was printed"

"$G" status events-v2 --state "$URL" --json > status.pg.json
cmp -s status.sqlite.json status.pg.json || fail "status differs: $(diff status.sqlite.json status.pg.json | head -20)"
"$G" events events-v2 --state state.db --json --limit 100000 > events.sqlite.json
"$G" events events-v2 --state "$URL" --json --limit 100000 > events.pg.json
cmp -s events.sqlite.json events.pg.json || fail "the event log differs: $(diff events.sqlite.json events.pg.json | head -5)"
"$G" events --verify --state "$URL" > verify.out || fail "the copied chain does not verify: $(cat verify.out)"

# The PostgreSQL state goes on: an operator command writes to it and the chain still verifies.
count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1"; }
"$G" fleet set events-v2 --concurrency 3 --state "$URL" > set.out 2>&1 || fail "fleet set: $(cat set.out)"
"$G" events events-v2 --state "$URL" --json --limit 100000 > events.after.json
expect_eq "$(count events.after.json)" "$(($(count events.pg.json) + 1))" "events after fleet set"
"$G" events --verify --state "$URL" > /dev/null || fail "the chain broke after a write"

# The same run made directly on PostgreSQL ends the same way: every dataset in the same state.
psql "postgresql://gaggle@127.0.0.1:$port/postgres" -q -c "CREATE DATABASE direct" > /dev/null
DIRECT="postgresql://gaggle@127.0.0.1:$port/direct"
rm -rf gaggle-logs  # the first run's logs: this run writes the same migration's there (./gaggle-logs)
"$G" generate-estate estate2 --datasets 10 --size-scale 0.01 -q
"$G" run estate2/migration.yaml --catalog estate2/catalog --state "$DIRECT" -q --exit-when-paused > run2.out 2>&1 || true
"$G" status events-v2 --state "$DIRECT" --json > status.direct.json || fail "status on the direct run: $(cat run2.out)"
$PY - <<'PY' || fail "the run on PostgreSQL ended differently from the run on SQLite"
import json
def states(path):
    s = json.load(open(path))
    counts = {}
    for st in s["stages"]:
        for k, v in st["counts"].items():
            counts[k] = counts.get(k, 0) + v
    return counts, sorted(a["dataset"] for a in s["needs_attention"]), s["state"]
a, b = states("status.sqlite.json"), states("status.direct.json")
assert a == b, (a, b)
PY
"$G" events --verify --state "$DIRECT" > /dev/null || fail "the direct run's chain does not verify"

# gaggle serve on the copied PostgreSQL state, with a token made on the same URL.
T=$("$G" token create --role viewer --name it-viewer --state "$URL" 2> token.err) || fail "token create: $(cat token.err)"
[[ "$T" == ggl_* ]] || fail "token create printed '$T'"
"$G" token list --state "$URL" --json > tokens.json
grep -q '"it-viewer"' tokens.json || fail "the token is not listed: $(cat tokens.json)"
sport=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$G" serve --state "$URL" --listen "127.0.0.1:$sport" > serve.out 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; (cd / && "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" -m fast -w stop > /dev/null 2>&1); rm -rf "$pg"' EXIT
S="http://127.0.0.1:$sport"
for _ in $(seq 1 150); do  # up to 15 s
  curl -sf "$S/healthz" > healthz.out 2>/dev/null && break
  kill -0 $serve_pid 2>/dev/null || fail "serve exited: $(cat serve.out)"
  sleep 0.1
done
curl -sf "$S/healthz" > /dev/null || fail "serve did not answer /healthz: $(cat serve.out)"
curl -sf "$S/readyz" > readyz.out || fail "/readyz (a readiness probe sends no token): $(cat serve.out)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$S/api/v1/migrations")
expect_eq "$code" "401" "the API without a token"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ggl_$(printf '0%.0s' $(seq 1 40))" \
  "$S/api/v1/migrations")
expect_eq "$code" "401" "the API with an unknown token"
curl -sf -H "Authorization: Bearer $T" "$S/api/v1/migrations" > migrations.json || fail "the migrations list"
# The task pages (the control store's query on PostgreSQL) against the SQLite original,
# read with Python's sqlite3: every task once in plan order through pages of 4, and a
# state filter.
T="$T" S="$S" $PY - <<'PY' || fail "serve's answers differ from the copied state: $(cat migrations.json)"
import json, os, sqlite3, urllib.request
def get(path):
    req = urllib.request.Request(os.environ["S"] + path, headers={"Authorization": "Bearer " + os.environ["T"]})
    return json.load(urllib.request.urlopen(req, timeout=10))
s = json.load(open("status.pg.json"))
items = json.load(open("migrations.json"))["items"]
assert [m["migration"] for m in items] == ["events-v2"], items
m = items[0]
assert m["state"] == s["state"] and m["datasets"] == 10, (m, s["state"])
assert m["done"] == s["succeeded"] and m["rows_out"] == s["rows_out"], (m, s)
db = sqlite3.connect("state.db")
order = [r[0] for r in db.execute("SELECT dataset_id FROM tasks WHERE migration = 'events-v2' ORDER BY stage, ordinal")]
failed = [r[0] for r in db.execute(
    "SELECT dataset_id FROM tasks WHERE migration = 'events-v2' AND state = 'failed' ORDER BY stage, ordinal")]
seen, after, pages = [], "", 0
while pages < 10:
    page = get("/api/v1/migrations/events-v2/tasks?limit=4" + ("&after=" + after if after else ""))
    pages += 1
    seen += [t["dataset"] for t in page["items"]]
    if not page["more"]:
        break
    after = page["next"]
assert seen == order and pages == 3, (seen, order, pages)
page = get("/api/v1/migrations/events-v2/tasks?state=failed&limit=100")
assert [t["dataset"] for t in page["items"]] == failed and len(failed) == m["failed"] == 2, (page, failed, m)
PY
kill -TERM $serve_pid
for _ in $(seq 1 100); do kill -0 $serve_pid 2>/dev/null || break; sleep 0.1; done  # up to 10 s
kill -0 $serve_pid 2>/dev/null && fail "serve did not stop within 10 s of SIGTERM"
rc=0; wait $serve_pid || rc=$?
expect_eq "$rc" "0" "serve's exit code after SIGTERM"
grep -q "$SHOWN" serve.out || fail "serve does not name its state: $(cat serve.out)"
grep -q "not-the-password" serve.out token.err tokens.json && fail "serve or token shows the password"

# Refusals, each naming the state without its password.
rc=0; "$G" state copy state.db "$URL" > again.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "a copy into a non-empty state succeeded"
grep -q "not empty" again.out || fail "no reason given: $(cat again.out)"
rc=0; "$G" status --state "postgresql://gaggle:not-the-password@127.0.0.1:$port/nosuchdb" > missing.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "a missing database was accepted"
grep -q "nosuchdb" missing.out || fail "the error does not name the database: $(cat missing.out)"
grep -q "not-the-password" again.out missing.out && fail "a message shows the password"
grep -q "$SHOWN" again.out || fail "the refusal does not name the state: $(cat again.out)"
echo "ok: copied $(cat copy.json) to PostgreSQL; status, events and verification match; gaggle serve answered from it"
