#!/usr/bin/env bash
# Never lose data, targets and outputs (issue 20, cases 9-13): a target or --output
# that would replace data gaggle does not own is refused before anything is written,
# and sha256 listings prove every byte of the lake unchanged.
source "$ROOT/tests/never_lose_data_lib.sh"

mkdir -p lake
data lake/a 1; data lake/b 2; data lake/team 3; data lake/orders 4
catalog cat.yaml a="file://$WORK/lake/a/" b="file://$WORK/lake/b/" team="file://$WORK/lake/team/" \
  team/orders="file://$WORK/lake/orders/"
"$G" catalog import cat.yaml --state s.db > /dev/null
snap lake > before.sha

# refused SPEC WHAT PATTERN: `plan` and `run` refuse the spec (exit 2) naming the clash.
refused() {
  local rc=0
  "$G" run "$1" --state s.db -q > run.out 2>&1 || rc=$?
  expect_eq "$rc" 2 "$2: run exit code ($(cat run.out))"
  grep -q "$3" run.out || fail "$2: expected '$3' in: $(cat run.out)"
  snap lake > after.sha
  same_bytes before.sha after.sha "$2"
  [[ ! -e v2 ]] || fail "$2: something was written"
}

# Case 9: a target that renders to its own source, or to another dataset's location.
spec own.yaml own "file://$WORK/lake/{id}/" a
refused own.yaml "case 9 (own source)" "is the location of dataset 'a'"
spec other.yaml other "file://$WORK/{id}/../lake/b" a
refused other.yaml "case 9 (another dataset)" "is the location of dataset 'b'"
# Case 10: nested targets.
spec nested.yaml nested "file://$WORK/v2/{id}/" '"team", "team/orders"'
refused nested.yaml "case 10" "lies inside target"
# Case 11: a target inside its source.
spec inside.yaml inside "file://$WORK/lake/{id}/v2/" a
refused inside.yaml "case 11" "lies inside dataset 'a'"
# Case 12: a relative target.
spec relative.yaml relative "v2/{id}/" a
refused relative.yaml "case 12" "relative path is not allowed"

# Case 9: transform --output onto its input, or onto a directory gaggle did not create.
spec t.yaml t "file://$WORK/v2/{id}/"
rc=0; "$G" transform --spec t.yaml --input lake/a --output lake/a -q > t.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "case 9: transform onto its input succeeded"
grep -q "it is its input" t.out || fail "case 9: $(cat t.out)"
rc=0; "$G" transform --spec t.yaml --input lake/a --output lake/b -q > t2.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "case 9: transform onto another dataset succeeded"
grep -q "gaggle did not create it" t2.out || fail "case 9: $(cat t2.out)"
snap lake > after.sha
same_bytes before.sha after.sha "case 9 (transform --output)"
# A relative --output is resolved once, where the command runs; re-running is a no-op.
"$G" transform --spec t.yaml --input lake/a --output out-a -q > /dev/null || fail "transform to a new output"
[[ -f out-a/_gaggle_manifest.json ]] || fail "no manifest in the new output"
"$G" transform --spec t.yaml --input lake/a --output "$WORK/out-a" | grep -q "nothing to do" || fail "rerun"

# Case 13: an external agent that passes a partition through by symlink is refused
# before its output is read, converted or committed; the old file stays.
cat > passthrough.py <<'PY'
#!/usr/bin/env python3
import json, os, sys
task = json.loads(sys.stdin.readline())
out = task["target"]["directory"]
n = 0
for f in task["source"]["files"]:
    rel = f["relative_path"] or os.path.basename(f["path"])
    os.makedirs(os.path.dirname(os.path.join(out, rel)) or out, exist_ok=True)
    os.symlink(f["path"], os.path.join(out, rel))
    n += sum(1 for line in open(f["path"]) if line.strip())
print(json.dumps({"type": "result", "rows_in": n, "rows_out": n}))
PY
chmod +x passthrough.py
cat > p.yaml <<'YAML'
name: p
version: 2
agent: {exec: ./passthrough.py, version: "1"}
target: {format: parquet}
YAML
rc=0; "$G" transform --spec p.yaml --input lake/a --output "$WORK/out-p" -q > p.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "case 13: a symlinked passthrough was committed"
grep -q "symlink that leads outside" p.out || fail "case 13: $(cat p.out)"
[[ ! -e out-p ]] || fail "case 13: output committed"
snap lake > after.sha
same_bytes before.sha after.sha "case 13"
catalog_data_exists s.db
echo "ok: never_lose_data target cases 9, 10, 11, 12, 13"
