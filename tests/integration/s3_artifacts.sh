#!/usr/bin/env bash
# Shared artefacts in object storage (issue 16): a coordinator with no agents of its own and
# a `gaggle worker` share a private PostgreSQL 15 cluster and one artefact location,
# s3://lake/artefacts on s3rver, and no directory. Each process writes its logs into a spool
# of its own and uploads each file once complete. Then, from another working directory with
# only the state URL and the artefact URL: `gaggle logs` shows the run's lines (a tail of
# them read from the end) and one dataset's attempts (and only that dataset's), `gaggle
# report` its figures, `gaggle archive` packs the uploaded logs, and `gaggle serve
# --artifacts` on the same prefix answers the API's log route with one dataset's lines. A
# migration created through the API on one server runs on another from the spec's object.
# No spool is left behind.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
source "$ROOT/tests/postgres_lib.sh"
source "$ROOT/tests/s3_lib.sh"
G="$1"
N=12

start_postgres
pids=()
cleanup() {
  [[ ${#pids[@]} -gt 0 ]] && kill -KILL "${pids[@]}" 2> /dev/null
  stop_server
  stop_postgres
}
trap cleanup EXIT
start_server s3rver || fail "s3rver (bash tests/s3/setup.sh)"
make_bucket  # s3://lake
psql "$PG_ADMIN" -q -c "CREATE DATABASE g" > /dev/null
URL="postgresql://gaggle@127.0.0.1:$PG_PORT/g"
ART="s3://lake/artefacts"
export TMPDIR="$WORK/tmp"  # where the spools go: checked empty at the end
mkdir -p "$TMPDIR" out

make_tree_estate "$G" "$N" 2000
{
  events_spec_head arts "file://$WORK/out/{id}/"
  cat <<EOF2
rollout: {stages: [100%]}
fleet: {concurrency: 4, timeout: 60s}
gates: {max_failed_datasets: 10%}
EOF2
} > spec.yaml

"$G" plan "$WORK/spec.yaml" --catalog catalog.yaml --state "$URL" > /dev/null 2>&1 || fail "plan on PostgreSQL"
"$G" worker --state "$URL" --slots 2 --name host-b --artifacts "$ART" > worker.log 2>&1 &
worker=$!
pids+=("$worker")
timeout 300 "$G" run "$WORK/spec.yaml" --state "$URL" --local-workers 0 --logs "$ART" -q > run.out 2> run.err ||
  fail "run: $(tail -5 run.err)"
kill -TERM "$worker"
wait "$worker" || fail "worker exit: $(tail -3 worker.log)"
pids=()
[[ -z "$(ls "$TMPDIR")" ]] || fail "spools left behind: $(ls "$TMPDIR")"
[[ ! -d gaggle-logs && ! -d "$WORK/out/gaggle-logs" ]] || fail "artefacts written to a local directory"

# Another host: a fresh directory, only the two URLs.
mkdir elsewhere && cd elsewhere
"$G" logs arts --state "$URL" --logs "$ART" --tail 0 --json > run-log.jsonl || fail "logs of the run"
grep -q '"event":"run_started"' run-log.jsonl || fail "no run_started in the run log: $(head -3 run-log.jsonl)"
expect_eq "$(grep -c '"migration":"arts"' run-log.jsonl)" "$(wc -l < run-log.jsonl)" "run log lines of migration arts"
# A tail reads the run logs from their end (ranged GETs): the same last lines.
"$G" logs arts --state "$URL" --logs "$ART" --tail 7 --json > run-tail.jsonl || fail "tail of the run log"
expect_eq "$(cat run-tail.jsonl)" "$(tail -n 7 run-log.jsonl)" "the run log's last 7 lines"
"$G" logs arts ds003 --state "$URL" --logs "$ART" --tail 0 --json > ds003.jsonl || fail "logs of ds003"
[[ -s ds003.jsonl ]] || fail "no task lines for ds003"
expect_eq "$(grep -c '"dataset":"ds003"' ds003.jsonl)" "$(wc -l < ds003.jsonl)" "task lines that are ds003's"
grep -q '"event":"attempt_started"' ds003.jsonl || fail "no attempt_started for ds003: $(cat ds003.jsonl)"
"$G" logs arts ds999 --state "$URL" --logs "$ART" > none.out 2> none.err && fail "logs of an unknown dataset succeeded"
grep -q "no log for dataset 'ds999'" none.err || fail "unknown dataset's error: $(cat none.err)"

"$G" report arts --state "$URL" > report.txt || fail "report"
grep -q "^Migration arts: completed ($N of $N datasets migrated" report.txt || fail "report: $(head -3 report.txt)"
grep -q "rows: 24,000 in, 24,000 out" report.txt || fail "report rows: $(grep rows: report.txt)"

"$G" archive arts --state "$URL" --logs "$ART" --out arts.tar.zst > archive.out || fail "archive: $(cat archive.out)"
"$G" archive verify arts.tar.zst > verify.out || fail "archive verify: $(cat verify.out)"
mkdir x && tar --zstd -xf arts.tar.zst -C x || fail "archive unpacks"
runs=$(find x -path '*logs/runs/*.jsonl' | head -1)
[[ -n "$runs" ]] || fail "archive holds no run log: $(cd x && find . -type f | head)"
grep -q '"event":"run_started"' "$runs" || fail "the archived run log lacks run_started"
find x -path '*logs/task-log/*/segment-*.index' | grep -q . || fail "archive holds no task log index"
[[ -z "$(ls "$TMPDIR")" ]] || fail "readers left spools behind: $(ls "$TMPDIR")"

# The API's log route on a server whose artefact location is the same prefix.
T=$("$G" token create --role viewer --name it-viewer --state "$URL" 2> token.err) || fail "token: $(cat token.err)"
sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$G" serve --state "$URL" --listen "127.0.0.1:$sport" --artifacts "$ART" > serve.out 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
S="http://127.0.0.1:$sport"
for _ in $(seq 1 150); do  # up to 15 s
  curl -sf "$S/healthz" > /dev/null 2>&1 && break
  kill -0 "$serve_pid" 2> /dev/null || fail "serve exited: $(cat serve.out)"
  sleep 0.1
done
curl -sf -H "Authorization: Bearer $T" "$S/api/v1/migrations/arts/logs?dataset=ds007&tail=50" > api-log.json ||
  fail "the API's log route: $(cat serve.out)"
python3 - api-log.json << 'PY' || fail "the API's log of ds007: $(head -c 600 api-log.json)"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
tasks = [i["entry"] for i in items if i["source"] == "task"]
assert tasks and all(t["dataset"] == "ds007" for t in tasks), tasks
assert [t["event"] for t in tasks] == ["attempt_started", "attempt_succeeded", "validated"], tasks
PY
kill -TERM "$serve_pid"
wait "$serve_pid" 2> /dev/null || true
pids=()
[[ -z "$(ls "$TMPDIR")" ]] || fail "the server left its spool behind: $(ls "$TMPDIR")"

# A migration created through the API on one server (host A, spool A) and started on
# another (host B, spool B, after A stopped and removed its spool): the run record names
# the spec's object, and B plans and runs it from there.
serve_on() {  # serve_on PORT: gaggle serve in the background (pid in serve_pid), up and healthy
  "$G" serve --state "$URL" --listen "127.0.0.1:$1" --artifacts "$ART" > "serve-$1.out" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$1/healthz" > /dev/null 2>&1 && return
    kill -0 "$serve_pid" 2> /dev/null || fail "serve exited: $(cat "serve-$1.out")"
    sleep 0.1
  done
  fail "serve on $1 did not answer"
}
ADM=$("$G" token create --role admin --name it-admin --state "$URL" 2> token.err) || fail "token: $(cat token.err)"
SPEC2=$(printf 'name: arts2\nversion: 3\nselect: {ids: [ds000]}\ntarget: {format: parquet, uri: "file://%s/out2/{id}/"}\n' "$WORK")
serve_on "$sport"
python3 -c 'import json,sys; print(json.dumps({"spec": sys.argv[1]}))' "$SPEC2" > create.json
curl -sf -H "Authorization: Bearer $ADM" -H 'Content-Type: application/json' --data @create.json \
  "$S/api/v1/migrations" > created.json || fail "create through the API: $(cat "serve-$sport.out")"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spec"])' created.json)" \
  "$ART/specs/arts2.yaml" "the created migration's recorded spec"
kill -TERM "$serve_pid"
wait "$serve_pid" 2> /dev/null || true
pids=()
[[ -z "$(ls "$TMPDIR")" ]] || fail "host A left its spool behind: $(ls "$TMPDIR")"
sport2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve_on "$sport2"
curl -sf -H "Authorization: Bearer $ADM" -H 'Content-Type: application/json' --data '{}' \
  "http://127.0.0.1:$sport2/api/v1/migrations/arts2/start" > started.json ||
  fail "start on host B: $(tail -5 "serve-$sport2.out")"
for _ in $(seq 1 600); do  # up to 60 s
  "$G" status arts2 --state "$URL" --json > arts2.json 2> /dev/null &&
    grep -q '"state": *"completed"' arts2.json && break
  sleep 0.1
done
grep -q '"state": *"completed"' arts2.json || fail "arts2 on host B: $(head -c 400 arts2.json; tail -5 "serve-$sport2.out")"
find "$WORK/out2" -name '*.parquet' | grep -q . || fail "arts2 wrote no output: $(ls -R "$WORK/out2" | head)"
kill -TERM "$serve_pid"
wait "$serve_pid" 2> /dev/null || true
pids=()
[[ -z "$(ls "$TMPDIR")" ]] || fail "host B left its spool behind: $(ls "$TMPDIR")"
echo "ok: logs, report, archive and the API's log route from another directory through $ART;" \
  "a migration created on one server ran on another from its spec's object"
