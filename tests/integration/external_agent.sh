# An external agent (examples/agents/anonymize.py, protocol v1) through gaggle transform:
# its JSON lines become Parquet, its counts are verified, failures map to exit codes.
source "$ROOT/tests/lib.sh"
G="$1"
cp "$ROOT/examples/agents/anonymize.py" agent.py
cat > spec.yaml <<'YAML'
name: users-anon
version: 2
agent: {exec: ./agent.py, version: "1.0.0", args: ["--column", "email"]}
target: {format: parquet, compression: zstd}
dead_letter: {max_fraction: 0.5}
YAML
mkdir in
printf '%s\n' '{"id": 1, "email": "a@x.org", "score": 1.5}' '{"id": 2, "email": null, "score": 2.5}' \
  '{"id": 3, "email": "c@x.org", "score": 3.5}' > in/users.jsonl
"$G" transform --spec spec.yaml --input in --output out --json > result.json
node -e '
const r = JSON.parse(require("fs").readFileSync("result.json"));
if (!r.ok) throw new Error("run failed");
const c = r.counts;
if (c.rows_in !== 3 || c.rows_out !== 2 || c.dead_lettered !== 1) throw new Error(JSON.stringify(c));
if (!r.agent.digest.startsWith("sha256:") || r.agent.version !== "1.0.0") throw new Error(JSON.stringify(r.agent));
if (r.outputs[0].path !== "users.parquet") throw new Error("expected converted parquet output, got " + r.outputs[0].path);
'
expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('out/users.parquet') WHERE email LIKE 'anon-%'")" 2 "anonymised rows"
expect_eq "$(duck_value "SELECT sum(score) FROM read_parquet('out/users.parquet')")" 5 "scores kept"
grep -Eq '"reason": *"column .email. missing or null"' out/_gaggle_dead_letter.jsonl || fail "dead letter reason"

# A new agent version re-runs; the same one does not.
"$G" transform --spec spec.yaml --input in --output out | grep -q "nothing to do" || fail "rerun not a no-op"
echo "# changed" >> agent.py
"$G" transform --spec spec.yaml --input in --output out -q | grep -q "migrated" || fail "changed agent digest did not re-run"

# Failures: retryable -> exit 75, permanent -> exit 1, timeout -> exit 75 and the agent is stopped.
set +e
ANONYMIZE_FAIL=retryable "$G" transform --spec spec.yaml --input in --output out2 -q 2> err.txt; rc=$?
expect_eq "$rc" 75 "retryable agent failure exit code"
ANONYMIZE_FAIL=permanent "$G" transform --spec spec.yaml --input in --output out2 -q 2> err.txt; rc=$?
expect_eq "$rc" 1 "permanent agent failure exit code"
start=$(date +%s)
ANONYMIZE_SLEEP=30 "$G" transform --spec spec.yaml --input in --output out2 --timeout 1s -q 2> err.txt; rc=$?
set -e
expect_eq "$rc" 75 "timeout exit code"
grep -q "Timeout" err.txt || fail "timeout not reported: $(cat err.txt)"
[[ $(( $(date +%s) - start )) -lt 15 ]] || fail "timed-out agent was not stopped promptly"
[[ ! -e out2 ]] || fail "failed runs left an output"
[[ -s out2.agent.log ]] || true
