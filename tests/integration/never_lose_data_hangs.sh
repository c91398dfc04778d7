#!/usr/bin/env bash
# Never hang (issue 20, cases 14-18): a FIFO or /dev/zero as a data file, an agent whose
# child escapes with setsid holding stdout, a webhook receiver that drips its headers,
# a source that changes on every attempt and gigabytes of agent stderr all end within
# bounded time, with the reason recorded; SIGTERM ends `gaggle run` within its grace, and
# a second run of a migration being run exits 75 ("another runner holds the lease").
source "$ROOT/tests/never_lose_data_lib.sh"

# bounded SECONDS CMD...: runs CMD, failing the test when it takes longer.
bounded() {
  local limit="$1"; shift
  local start=$SECONDS rc=0
  timeout -s KILL "$((limit + 30))" "$@" || rc=$?
  (( SECONDS - start <= limit )) || fail "took $((SECONDS - start))s (limit ${limit}s): $*"
  return $rc
}

# failed_run RC WHAT: a run that ended with datasets needing attention (1), or paused at
# the failed stage gate (75), not killed.
failed_run() { [[ "$1" == 1 || "$1" == 75 ]] || fail "$2: run exit code $1: $(cat run.out)"; }

# A dataset whose task log and state say why it needs attention.
reason_of() {
  $PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select state, last_error from tasks where dataset_id=?\", (sys.argv[2],)).fetchone())" "$1" "$2"
}

# --- Case 14: a FIFO and a /dev/zero symlink as data files.
mkdir -p c14/lake/fifo c14/lake/zero && cd c14
mkfifo lake/fifo/part-0.jsonl
ln -s /dev/zero lake/zero/part-0.jsonl
catalog cat.yaml fifo="file://$PWD/lake/fifo/" zero="file://$PWD/lake/zero/"
spec m.yaml m "file://$PWD/v2/{id}/"
sed -i 's/timeout: 60s}/timeout: 5s, retries: {max: 0}}\nrollout: {stages: [100%]}/' m.yaml
rc=0; bounded 60 "$G" run m.yaml --catalog cat.yaml --state s.db -q --exit-when-paused > run.out 2>&1 || rc=$?
failed_run "$rc" "case 14"
for d in fifo zero; do
  reason_of s.db $d | grep -q "not a regular file" || fail "case 14: $d: $(reason_of s.db $d)"
done
cd ..

# --- Case 15: an agent whose child escapes with setsid holding stdout; an agent that
# exits 0 leaving a child behind.
mkdir -p c15 && cd c15
data lake/a 1
cat > escape.sh <<'SH'
#!/bin/sh
read task
setsid sleep 300 &
echo "$!" >> "$PIDS"
sleep 300
SH
cat > leave.py <<'PY'
#!/usr/bin/env python3
import json, os, subprocess, sys
task = json.loads(sys.stdin.readline())
p = subprocess.Popen(["sleep", "300"])
open(os.environ["PIDS"], "a").write(f"{p.pid}\n")
out = task["target"]["directory"]
n = 0
with open(os.path.join(out, "part-0.jsonl"), "w") as o:
    for f in task["source"]["files"]:
        for line in open(f["path"]):
            if line.strip():
                o.write(line); n += 1
print(json.dumps({"type": "result", "rows_in": n, "rows_out": n}), flush=True)
PY
chmod +x escape.sh leave.py
export PIDS="$PWD/pids"
catalog cat.yaml a="file://$PWD/lake/a/"
printf 'name: esc\nversion: 2\nselect: {match: {id: "*"}}\nrollout: {stages: [100%%]}\nagent: {exec: ./escape.sh, version: "1"}\ntarget: {format: parquet, uri: "file://%s/v2/{id}/"}\nfleet: {timeout: 2s, retries: {max: 0}}\n' "$PWD" > esc.yaml
rc=0; bounded 30 "$G" run esc.yaml --catalog cat.yaml --state s.db -q --exit-when-paused > run.out 2>&1 || rc=$?
failed_run "$rc" "case 15"
reason_of s.db a | grep -q "exceeded the fleet timeout" || fail "case 15: $(reason_of s.db a)"
sleep 0.5
while read -r p; do
  if kill -0 "$p" 2>/dev/null && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null; then fail "case 15: escaped child $p still runs"; fi
done < pids
: > pids
printf 'name: leave\nversion: 2\nselect: {match: {id: "*"}}\nrollout: {stages: [100%%]}\nagent: {exec: ./leave.py, version: "1"}\ntarget: {format: parquet, uri: "file://%s/v3/{id}/"}\nfleet: {timeout: 60s, retries: {max: 0}}\n' "$PWD" > leave.yaml
bounded 30 "$G" run leave.yaml --state s.db -q > run2.out 2>&1 || { cat run2.out; fail "case 15: exit 0 with a child left behind"; }
reason_of s.db a | grep -q "validated" || true
while read -r p; do
  if kill -0 "$p" 2>/dev/null && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null; then fail "case 15: child $p left running"; fi
done < pids
cd ..

# --- Case 16: a webhook receiver that drips its response headers for ever.
mkdir -p c16 && cd c16
data lake/a 2
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY - "$port" <<'PY' &
import socket, sys, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(8)
def drip(c):
    try:
        c.recv(65536)
        for i in range(1200):  # at most 2 minutes
            c.send(b"HTTP/1.1 200 OK\r\nX-Drip: "[i:i+1] or b"a"); time.sleep(0.1)
    except OSError:
        pass
end = time.time() + 120
srv.settimeout(1)
while time.time() < end:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    threading.Thread(target=drip, args=(c,), daemon=True).start()
PY
drip_pid=$!
trap 'kill $drip_pid 2>/dev/null || true' EXIT
catalog cat.yaml a="file://$PWD/lake/a/"
spec m.yaml m "file://$PWD/v2/{id}/"
echo "notify: [{webhook: \"http://127.0.0.1:$port/hook\"}]" >> m.yaml
bounded 45 "$G" run m.yaml --catalog cat.yaml --state s.db -q > run.out 2>&1 || { cat run.out; fail "case 16: run"; }
kill $drip_pid 2>/dev/null || true
cd ..

# --- Case 17: a source that changes on every attempt spends the retries, then needs
# attention with the reason.
mkdir -p c17 && cd c17
data lake/a 3
cat > append.py <<'PY'
#!/usr/bin/env python3
import json, os, sys
task = json.loads(sys.stdin.readline())
out = task["target"]["directory"]
n = 0
with open(os.path.join(out, "part-0.jsonl"), "w") as o:
    for f in task["source"]["files"]:
        lines = [l for l in open(f["path"]) if l.strip()]
        for l in lines:
            o.write(l); n += 1
        open(f["path"], "a").write(lines[-1])  # appends to its own input
print(json.dumps({"type": "result", "rows_in": n, "rows_out": n}), flush=True)
PY
chmod +x append.py
catalog cat.yaml a="file://$PWD/lake/a/"
printf 'name: app\nversion: 2\nselect: {match: {id: "*"}}\nrollout: {stages: [100%%]}\nagent: {exec: ./append.py, version: "1"}\ntarget: {format: parquet, uri: "file://%s/v2/{id}/"}\nfleet: {timeout: 60s, retries: {max: 1, initial: 10ms}}\n' "$PWD" > app.yaml
rc=0; bounded 60 "$G" run app.yaml --catalog cat.yaml --state s.db -q --exit-when-paused > run.out 2>&1 || rc=$?
failed_run "$rc" "case 17"
reason_of s.db a | grep -q "needs-attention.*source changed during each of 2 attempts" || fail "case 17: $(reason_of s.db a)"
attempts=$($PY -c "import sqlite3; print(sqlite3.connect('s.db').execute(\"select attempts from tasks where dataset_id='a'\").fetchone()[0])")
expect_eq "$attempts" 2 "case 17: attempts"
cd ..

# --- Case 18: 60 MB of agent stderr becomes a capped log; archive and verify work.
mkdir -p c18 && cd c18
data lake/a 4
cat > noisy.sh <<'SH'
#!/bin/sh
read task
echo FIRST-LINE >&2
head -c 60000000 /dev/zero | tr '\0' x >&2
echo LAST-LINE >&2
exit 1
SH
chmod +x noisy.sh
catalog cat.yaml a="file://$PWD/lake/a/"
printf 'name: noisy\nversion: 2\nselect: {match: {id: "*"}}\nrollout: {stages: [100%%]}\nagent: {exec: ./noisy.sh, version: "1"}\ntarget: {format: parquet, uri: "file://%s/v2/{id}/"}\nfleet: {timeout: 60s, retries: {max: 0}}\n' "$PWD" > noisy.yaml
rc=0; bounded 60 "$G" run noisy.yaml --catalog cat.yaml --state s.db -q --exit-when-paused > run.out 2>&1 || rc=$?
failed_run "$rc" "case 18"
log=$(find gaggle-logs -name '*.log' -size +1M | head -1)
[[ -n "$log" ]] || fail "case 18: no agent log"
size=$(stat -c %s "$log")
(( size < 17 * 1024 * 1024 )) || fail "case 18: the log is $size bytes"
head -c 100 "$log" | grep -q FIRST-LINE || fail "case 18: the first bytes are not kept"
tail -c 100 "$log" | grep -q LAST-LINE || fail "case 18: the last bytes are not kept"
grep -aq "bytes of the agent's standard error cut here" "$log" || fail "case 18: no note of the cut"
"$G" archive noisy --out noisy.tar.zst --state s.db > archive.out || { cat archive.out; fail "case 18: archive"; }
"$G" archive verify noisy.tar.zst | grep -q "archive intact" || fail "case 18: archive verify"
cd ..

# --- SIGTERM ends `gaggle run` within the grace period, even with an agent ignoring it.
mkdir -p term && cd term
data lake/a 5
printf '#!/bin/sh\ntrap "" TERM\nread task\nsleep 300\n' > stuck.sh
chmod +x stuck.sh
catalog cat.yaml a="file://$PWD/lake/a/"
printf 'name: stuck\nversion: 2\nselect: {match: {id: "*"}}\nrollout: {stages: [100%%]}\nagent: {exec: ./stuck.sh, version: "1"}\ntarget: {format: parquet, uri: "file://%s/v2/{id}/"}\nfleet: {timeout: 10m}\n' "$PWD" > stuck.yaml
"$G" run stuck.yaml --catalog cat.yaml --state s.db -q > run.out 2>&1 &
run_pid=$!
for _ in $(seq 100); do pgrep -f stuck.sh > /dev/null && break; sleep 0.1; done
# A second run of the same migration meanwhile: exit 75, "another runner holds the lease".
rc=0; "$G" run stuck.yaml --state s.db -q > second.out 2>&1 || rc=$?
expect_eq "$rc" 75 "a second concurrent run: exit code ($(cat second.out))"
grep -q "another runner holds the lease" second.out || fail "a second run: $(cat second.out)"
start=$SECONDS
kill -TERM $run_pid
rc=0; wait $run_pid || rc=$?
(( SECONDS - start <= 35 )) || fail "SIGTERM: run took $((SECONDS - start))s to end"
expect_eq "$rc" 130 "SIGTERM: exit code"
cd ..
echo "ok: never_lose_data hang cases 14, 15, 16, 17, 18, SIGTERM and a second concurrent run"
