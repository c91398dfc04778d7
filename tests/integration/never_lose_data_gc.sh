#!/usr/bin/env bash
# Never lose data, gc and retention (issue 20, cases 1-4 and 6-8): each hostile set-up
# is run, then sha256 listings prove that every byte gc was not entitled to delete is
# unchanged and the catalog points at data that exists. (Case 5, gc racing a rollback,
# and interrupted gc are in never_lose_data_gc_race.sh.)
source "$ROOT/tests/never_lose_data_lib.sh"

# migrate DIR NAME TARGET IDS: runs a migration through its final gate (cut-over) in DIR.
migrate() {
  (cd "$1" && "$G" run "$2.yaml" --state s.db -q > "run-$2.out" 2>&1) || { cat "$1/run-$2.out"; fail "$1: run $2"; }
}

# --- Case 1: a nested dataset is never deleted with its parent.
mkdir c1 && cd c1
data lake/a 1; data lake/a/b 2
catalog cat.yaml a="file://$PWD/lake/a/" b="file://$PWD/lake/a/b"
spec m.yaml m "file://$PWD/v2/{id}/" a
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m
snap lake > before.sha
"$G" gc --now "$LATER" --state s.db > gc.out
grep -q "kept  m  a  .*contains dataset 'b' of the catalog" gc.out || fail "case 1: gc did not keep a: $(cat gc.out)"
snap lake > after.sha
same_bytes before.sha after.sha "case 1"
catalog_data_exists s.db
cd ..

# --- Cases 2 and 3: one directory spelled differently; a re-import that drops the slash.
mkdir c2 && cd c2
data lake/shared 3
catalog cat.yaml a="file://$PWD/lake/shared/" c="$PWD/lake/./shared"
spec m.yaml m "file://$PWD/v2/{id}/" a
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m
snap lake > before.sha
"$G" gc --now "$LATER" --state s.db > gc.out
grep -q "kept  m  a  .*is the location of dataset 'c'" gc.out || fail "case 2: $(cat gc.out)"
# Case 3: a re-import names the old location again, without the trailing slash.
catalog cat2.yaml a="file://$PWD/lake/shared/" r="file://$PWD/lake/shared"
"$G" catalog import cat2.yaml --state s.db > /dev/null
"$G" gc --now "$LATER" --state s.db > gc3.out
grep -q "kept  m  a  .*is the location of dataset 'r'" gc3.out || fail "case 3: $(cat gc3.out)"
snap lake > after.sha
same_bytes before.sha after.sha "cases 2 and 3"
catalog_data_exists s.db
cd ..

# --- Case 4: a location two migrations share stays until the longer retention ends.
mkdir c4 && cd c4
data lake/shared 4
catalog cat.yaml a="file://$PWD/lake/shared/" c="file://$PWD/lake/shared"
spec m1.yaml m1 "file://$PWD/v2/{id}/" a
spec m2.yaml m2 "file://$PWD/v3/{id}/" c
sed -i 's/retention: 1d/retention: 30d/' m2.yaml
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m1
migrate . m2
snap lake > before.sha
"$G" gc --now "$LATER" --state s.db > gc.out
grep -q "kept  m1  a  .*migration 'm2' still retains it for 'c'" gc.out || fail "case 4: $(cat gc.out)"
snap lake > after.sha
same_bytes before.sha after.sha "case 4"
"$G" rollback m2 --datasets c --state s.db --reason test > rb.out || fail "case 4: rollback of m2: $(cat rb.out)"
catalog_data_exists s.db
cd ..

# --- Case 6: system locations are refused whatever a record says; only listed files
# are deleted, hidden and unlisted ones are left and reported.
mkdir c6 && cd c6
data lake/a 5; data lake/d 6
catalog cat.yaml a="file://$PWD/lake/a/" d="file://$PWD/lake/d/"
spec m.yaml m "file://$PWD/v2/{id}/"
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m
$PY -c "import sqlite3; db=sqlite3.connect('s.db'); db.execute(\"update cutovers set previous_uri='file:///tmp/' where dataset_id='d'\"); db.commit()"
echo "not ours" > lake/a/.hidden
echo "written later" > lake/a/later.jsonl
snap lake/a/.hidden lake/a/later.jsonl lake/d > before.sha
"$G" gc --now "$LATER" --state s.db > gc.out
grep -q "kept  m  d  location 'file:///tmp' is a system directory" gc.out || fail "case 6: /tmp: $(cat gc.out)"
grep -q "left  $PWD/lake/a/.hidden: not in the listing" gc.out || fail "case 6: hidden file not reported: $(cat gc.out)"
[[ ! -e lake/a/part-0.jsonl ]] || fail "case 6: the listed file was not deleted"
snap lake/a/.hidden lake/a/later.jsonl lake/d > after.sha
same_bytes before.sha after.sha "case 6"
catalog_data_exists s.db
cd ..

# --- Case 7: a parent swapped for a symlink after the dry run; a symlinked location.
mkdir c7 && cd c7
data lake/a 7; data lake/b 8
catalog cat.yaml a="file://$PWD/lake/a/" b="file://$PWD/lake/b/"
spec m.yaml m "file://$PWD/v2/{id}/"
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m
"$G" gc --dry-run --now "$LATER" --state s.db | grep -q "dry run: 2 old datasets would be deleted" || fail "case 7: dry run"
# After the dry run: lake becomes a link to a copy with the same names, sizes and times.
cp -a lake other && mv lake lake-real && ln -s other lake
snap other lake-real > before.sha
"$G" gc --now "$LATER" --state s.db > gc.out
grep -q "kept  m  a  .*passes through the symlink $PWD/lake" gc.out || fail "case 7: $(cat gc.out)"
snap other lake-real > after.sha
same_bytes before.sha after.sha "case 7 (swapped parent)"
# The location itself a symlink: refused, the link and its target stay.
rm lake && mv lake-real lake && mv lake/b lake/b-real && ln -s b-real lake/b
snap lake > before.sha
"$G" gc --now "$LATER" --state s.db > gc2.out
grep -q "kept  m  b  .*symlink" gc2.out || fail "case 7: symlinked location: $(cat gc2.out)"
snap lake/b-real > after-b.sha
grep -q "b-real/part-0.jsonl" after-b.sha || fail "case 7: the link target lost its data"
[[ -L lake/b ]] || fail "case 7: the link was removed"
catalog_data_exists s.db
cd ..

# --- Case 8: a second cut-over after gc keeps the collected record; rollback is refused
# and the only copy (the new data) stays.
mkdir c8 && cd c8
data lake/a 9
catalog cat.yaml a="file://$PWD/lake/a/"
spec m.yaml m "file://$PWD/v2/{id}/" a
"$G" catalog import cat.yaml --state s.db > /dev/null
migrate . m
"$G" gc --now "$LATER" --state s.db | grep -q "^1 old dataset deleted" || fail "case 8: gc"
# Running the migration again: refused at plan time (its source is now its target) or a
# no-op; either way the collected record stays as it was.
"$G" run m.yaml --state s.db -q > run2.out 2>&1 || true
rec=$($PY -c "import sqlite3; print(sqlite3.connect('s.db').execute(\"select state, previous_uri != next_uri from cutovers where dataset_id='a'\").fetchone())")
expect_eq "$rec" "('collected', 1)" "case 8: the record after a second cut-over"
snap v2 > before.sha
"$G" rollback m --datasets a --state s.db --reason late > rb.out || true
grep -q "deleted by gc" rb.out || fail "case 8: rollback after gc: $(cat rb.out)"
snap v2 > after.sha
same_bytes before.sha after.sha "case 8"
catalog_data_exists s.db
cd ..
echo "ok: never_lose_data gc cases 1, 2, 3, 4, 6, 7, 8"
