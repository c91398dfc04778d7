#!/usr/bin/env bash
# A fleet-wide rename (issue 18): one spec renames user_id to account_id wherever it
# appears, over datasets of two schemas. With transform.missing_columns: skip the plan says
# per dataset which renames apply and which are skipped; the run migrates both schemas;
# the data keeps every value (checked with DuckDB); the consumer of the dataset that has
# the column is rewritten and verified, the consumer of the one that lacks it is left alone.
# The growth consumer names its own SQL file (gaggle.dev/queries-path) in the git repository
# holding the catalog: the patch the run saves is of that real file, and `git apply` takes it.
# Without the policy (fail, the default) the plan warns and the run refuses that dataset.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3
mkdir -p lake repo/sql
git -C repo init -q -b main
printf -- '-- Users per country (growth team)\nSELECT country, COUNT(DISTINCT user_id) AS users -- distinct people\nFROM users\nGROUP BY country\n' \
  > repo/sql/growth.sql
$PY - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
with open("lake/users.jsonl", "w") as f:
    for i in range(200):
        f.write(json.dumps({"user_id": i, "country": ["DE", "FR", "US"][i % 3], "plan": "pro" if i % 4 == 0 else "free"}) + "\n")
with open("lake/orders.jsonl", "w") as f:
    for i in range(300):
        f.write(json.dumps({"order_id": i, "amount": (i * 37) % 1000, "status": "open" if i % 5 else "done"}) + "\n")
open("repo/catalog.yaml", "w").write(f"""gaggle_catalog: 1
datasets:
  - id: users
    uri: file://{work}/lake/users.jsonl
    format: jsonl
    schema: "user_id: int64, country: string, plan: string"
  - id: orders
    uri: file://{work}/lake/orders.jsonl
    format: jsonl
    schema: "order_id: int64, amount: int64, status: string"
consumers:
  - id: growth
    upstream: ["users"]
    queries: ["SELECT country, COUNT(DISTINCT user_id) AS users FROM users GROUP BY country"]
    annotations: {{gaggle.dev/queries-path: sql/growth.sql}}
  - id: finance
    upstream: ["orders"]
    queries: ["SELECT status, SUM(amount) AS total FROM orders GROUP BY status"]
""")
PY

spec() {  # spec NAME POLICY_LINE
  cat > "$1.yaml" <<EOF2
name: $1
version: 2
select: {match: {format: jsonl}}
transform:
$2
  rename: {user_id: account_id}
  drop: [plan]
target: {format: parquet, uri: "file://$WORK/$1/{id}/"}
rollout: {stages: [100%], canary: {tier: [low, standard, critical]}}
fleet: {concurrency: 2, timeout: 60s}
EOF2
}
spec fleet "  missing_columns: skip"
spec strict ""

# --- 1. The plan says, per dataset, what applies and what is skipped.
"$G" plan fleet.yaml --catalog repo/catalog.yaml --state plan.db --no-save --json > plan.json || fail "plan --json"
$PY - <<'PY' || fail "plan --json columns: $(cat plan.json)"
import json
rows = {r["dataset"]: r for r in json.load(open("plan.json"))["rows"]}
assert rows["users"]["columns"] == {"renames": {"user_id": "account_id"}, "skipped": []}, rows["users"]
assert rows["orders"]["columns"] == {"renames": {}, "skipped": ["transform.rename.user_id", "transform.drop.plan"]}, rows["orders"]
PY
"$G" plan fleet.yaml --catalog repo/catalog.yaml --state plan.db --no-save > plan.out || fail "plan"
grep -q "renames: user_id -> account_id$" plan.out || fail "plan text lacks the users rename: $(cat plan.out)"
grep -q "renames: none; skipped: transform.rename.user_id transform.drop.plan" plan.out || fail "plan text lacks the skips: $(cat plan.out)"
grep -q "warning: transform.rename.user_id is skipped on 1 dataset(s) without its column (transform.missing_columns: skip): orders" plan.out \
  || fail "plan warning: $(cat plan.out)"

# --- 2. Without the policy nothing changes silently: the plan warns, the run refuses orders.
"$G" plan strict.yaml --catalog repo/catalog.yaml --state strict.db --no-save > strict-plan.out || fail "strict plan"
grep -q "warning: transform.rename.user_id names a column that 1 dataset(s) lack, so they will fail: orders" strict-plan.out \
  || fail "strict plan warning: $(cat strict-plan.out)"
rc=0; "$G" run strict.yaml --catalog repo/catalog.yaml --state strict.db --exit-when-paused > strict.out 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "the strict run succeeded: $(cat strict.out)"
grep -q "orders .*SchemaMismatch: .*transform.rename.user_id: unknown column 'user_id'" strict.out || fail "the strict run does not name the entry: $(cat strict.out)"
[[ ! -e strict/orders/_gaggle_manifest.json ]] || fail "the strict run migrated orders"

# --- 3. The run migrates both schemas; the final gate verifies both consumers.
"$G" run fleet.yaml --catalog repo/catalog.yaml --state fleet.db --exit-when-paused > run.out 2>&1 || { cat run.out; fail "fleet run"; }
grep -q "final gate passed: 2 of 2 consumer queries verified: 2 same answer" run.out || { cat run.out; fail "final gate summary"; }
expect_eq "$(duck_value "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM (DESCRIBE SELECT * FROM read_parquet('$WORK/fleet/users/*.parquet'))")" \
  "account_id,country" "users columns"
expect_eq "$(duck_value "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM (DESCRIBE SELECT * FROM read_parquet('$WORK/fleet/orders/*.parquet'))")" \
  "amount,order_id,status" "orders columns"
expect_eq "$(duck_value "SELECT sum(account_id) FROM read_parquet('$WORK/fleet/users/*.parquet')")" "19900" "users values"
expect_eq "$(duck_value "SELECT sum(amount) + sum(order_id) FROM read_parquet('$WORK/fleet/orders/*.parquet')")" \
  "$(duck_value "SELECT sum(amount) + sum(order_id) FROM read_json_auto('$WORK/lake/orders.jsonl')")" "orders values"

# The consumer of users is rewritten; the consumer of orders is left alone.
patches=gaggle-logs/fleet/patches
ls $patches/component_growth*.patch > /dev/null 2>&1 || { ls -R gaggle-logs; fail "no growth patch"; }
growth_patch=$(ls $patches/component_growth*.patch)
grep -q "^diff --git a/sql/growth.sql b/sql/growth.sql" "$growth_patch" || fail "growth patch is not of its file: $(cat "$growth_patch")"
grep -q "^+SELECT country, COUNT(DISTINCT account_id) AS users -- distinct people" "$growth_patch" || fail "growth patch: $(cat "$growth_patch")"
"$G" verify fleet --state fleet.db -q > verify.out 2>&1 || { cat verify.out; fail "gaggle verify"; }
grep -q "its own files: git apply it in $WORK/repo$" verify.out || fail "verify does not say where the patch applies: $(cat verify.out)"
git -C repo add sql/growth.sql && git -C repo -c user.name=t -c user.email=t@t commit -qm growth
git -C repo apply --check "$WORK/$growth_patch" || fail "git apply --check refuses the growth patch"
git -C repo apply "$WORK/$growth_patch"
expect_eq "$(cat repo/sql/growth.sql)" "$(printf -- '-- Users per country (growth team)\nSELECT country, COUNT(DISTINCT account_id) AS users -- distinct people\nFROM users\nGROUP BY country')" "growth.sql patched"
if ls $patches/component_finance*.patch > /dev/null 2>&1; then fail "finance was patched: $(cat $patches/component_finance*.patch)"; fi
echo ok
