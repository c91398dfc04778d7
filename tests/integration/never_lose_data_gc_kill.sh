#!/usr/bin/env bash
# Never lose data, gc against rollback and kill -9 (issue 20, cases 5 and 6).
# Case 5: gc and a rollback of the same datasets at the same moment: each dataset ends
# either rolled back onto its complete old data or collected with the catalog at the new
# data, never pointing at deleted data. Case 6: gc is killed with kill -9 at random
# points, 20 times. After every kill only files the migration listed are missing, every
# other byte (hidden and unlisted files, the new outputs) is unchanged, the catalog
# points at data that exists, and a rollback of a dataset whose collection began is
# refused. The next gc finishes the job.
source "$ROOT/tests/never_lose_data_lib.sh"

n=8
# estate DIR: n datasets of 40 partition files each, migrated and cut over, in DIR.
estate() {
  mkdir -p "$1" && cd "$1"
  local ids=()
  for i in $(seq 1 $n); do
    data "lake/d$i" "$i"
    for k in $(seq 1 39); do cp "lake/d$i/part-0.jsonl" "lake/d$i/part-$k.jsonl"; done
    ids+=("d$i=file://$PWD/lake/d$i/")
  done
  catalog cat.yaml "${ids[@]}"
  spec m.yaml m "file://$PWD/v2/{id}/"
  "$G" run m.yaml --catalog cat.yaml --state s.db -q > run.out 2>&1 || { cat run.out; fail "run"; }
  find lake -name 'part-*.jsonl' | sort > listed.txt
}

# --- Case 5: gc and rollback race (the rollback starts while gc runs).
estate r5
"$G" gc --now "$LATER" --state s.db > gc.out 2>&1 &
gc_pid=$!
sleep 0.0$(( RANDOM % 5 ))
"$G" rollback m --state s.db --reason race > rb.out 2>&1 || true
wait $gc_pid || true
$PY - "$PWD" $n <<'PY' || fail "case 5: $(cat gc.out rb.out)"
import os, sqlite3, sys
work, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect("s.db")
states = {}
for i in range(1, n + 1):
    d = f"d{i}"
    state = db.execute("select state from cutovers where dataset_id=?", (d,)).fetchone()[0]
    uri = db.execute("select uri from entities where id=?", (d,)).fetchone()[0]
    states[state] = states.get(state, 0) + 1
    if state == "rolled-back":
        assert uri == f"file://{work}/lake/{d}/", (d, state, uri)
        assert len([f for f in os.listdir(f"lake/{d}") if f.startswith("part-")]) == 40, (d, "old data incomplete")
    else:
        assert state in ("collected", "collecting"), (d, state)
        assert uri == f"file://{work}/v2/{d}/", (d, state, uri)
        assert os.path.exists(f"v2/{d}/_gaggle_manifest.json"), (d, "new data gone")
print("case 5:", states)
PY
catalog_data_exists s.db
cd ..

# --- Case 6: kill -9 at random points.
estate k6
# Files the migration did not list: they must survive every gc.
for i in $(seq 1 $n); do echo "not ours $i" > "lake/d$i/.hidden"; done
snap v2 > v2.sha
find lake -name .hidden -print0 | xargs -0 sha256sum | sort > hidden.sha

check() {  # after a kill: invariants
  snap v2 > v2-now.sha
  same_bytes v2.sha v2-now.sha "kill $1: new outputs"
  find lake -name .hidden -print0 | xargs -0 sha256sum | sort > hidden-now.sha
  same_bytes hidden.sha hidden-now.sha "kill $1: unlisted files"
  # Whatever is missing was listed.
  find lake -name 'part-*.jsonl' | sort > now.txt
  comm -13 listed.txt now.txt | grep -q . && fail "kill $1: a file appeared that was not listed"
  catalog_data_exists s.db
  # A dataset whose collection began (and was cut short) is never rolled back onto its
  # partly deleted location.
  for id in $($PY -c "import sqlite3; print(' '.join(r[0] for r in sqlite3.connect('s.db').execute(\"select dataset_id from cutovers where state = 'collecting'\")))"); do
    rolled_back_collecting=$((rolled_back_collecting + 1))
    "$G" rollback m --datasets "$id" --state s.db --reason "kill $1" > rb.out 2>&1 || true
    uri=$($PY -c "import sqlite3,sys; print(sqlite3.connect('s.db').execute('select uri from entities where id=?', (sys.argv[1],)).fetchone()[0])" "$id")
    [[ "$uri" == "file://$PWD/v2/$id/" ]] || fail "kill $1: rollback of $id (collection began) pointed the catalog at $uri"
  done
}

# Each round starts from the same collectable state (a copy of the old data and of the
# state file), so every one of the 20 kills lands somewhere in a real collection.
cp -a lake lake.pristine
cp s.db s.db.pristine
# The kill lands at a random point within how long one whole gc takes here (measured once,
# then the estate is restored), so the rounds hit a running gc on a fast quiet machine as on
# a slow loaded one. The machine's speed changes under a loaded CI, so the window adapts: a
# gc that finished before its kill shrinks the window, a kill that landed widens it a little.
t0=$(date +%s%N)
"$G" gc --now "$LATER" --state s.db > gc.out 2>&1 || { cat gc.out; fail "the timing gc"; }
gc_us=$(( ($(date +%s%N) - t0) / 1000 ))
rm -rf lake && cp -a lake.pristine lake && cp s.db.pristine s.db
kills=0
rolled_back_collecting=0
start=$SECONDS
k=0
while (( kills < 20 && k < 100 )); do  # 20 kills of a running gc; a gc that finished first does not count
  k=$((k + 1))
  rm -rf lake && cp -a lake.pristine lake && cp s.db.pristine s.db
  "$G" gc --now "$LATER" --state s.db > gc.out 2>&1 &
  pid=$!
  sleep "$(awk -v us="$gc_us" -v r="$RANDOM" 'BEGIN { printf "%.6f", us * 0.8 * r / 32768 / 1e6 }')"
  kill -9 $pid 2>/dev/null || true
  rc=0
  wait $pid 2>/dev/null || rc=$?
  if (( rc == 137 )); then  # 128 + SIGKILL: the kill landed in a running gc
    kills=$((kills + 1))
    gc_us=$(( gc_us * 11 / 10 ))
  else
    gc_us=$(( gc_us * 6 / 10 ))
  fi
  check "$k"
  # The next gc finishes whatever the killed one began.
  "$G" gc --now "$LATER" --state s.db > resume.out 2>&1 || { cat resume.out; fail "round $k: the gc after the kill"; }
  left=$(find lake -name 'part-*.jsonl' | wc -l)
  expect_eq "$left" 0 "round $k: listed files after the resuming gc"
  (( SECONDS - start < 240 )) || break
done
(( kills >= 20 )) || fail "only $kills of $k rounds killed a running gc"
collected=$($PY -c "import sqlite3; print(sqlite3.connect('s.db').execute(\"select count(*) from cutovers where state='collected'\").fetchone()[0])")
expect_eq "$collected" "$n" "collected records"
find lake -name .hidden -print0 | xargs -0 sha256sum | sort > hidden-now.sha
same_bytes hidden.sha hidden-now.sha "after the last gc: unlisted files"
catalog_data_exists s.db
cd ..
echo "ok: case 5 race held; gc killed $kills times in $k rounds at random points ($rolled_back_collecting rollbacks of a collecting dataset refused); nothing unlisted lost; the last gc finished"
