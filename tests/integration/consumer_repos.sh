#!/usr/bin/env bash
# Consumers' own repositories, end to end: a migration renames columns; two consumers keep
# their SQL in one git repository (comments around and inside statements, no final ';', no
# final newline, CRLF) and name it with gaggle.dev/queries-path; their catalog queries are
# read from the same files. A third is a dbt project in the same repository. `gaggle consumers patch` makes a branch with one commit per
# consumer that applies to the real files, keeps everything but the renamed names, leaves
# the user's branch, index and working tree alone, and writes a pull-request description
# with the verification evidence. Refusals: an existing branch, the branch checked out,
# dirty files, a path out of the repository. Last, a migration with verify.output_names:
# propagate: a derived dataset's SQL outputs the new name and the consumer reading it
# follows, both on the branch, both verified, both patches applying.
source "$ROOT/tests/lib.sh"
G="$1"
mkdir -p lake
"$G" generate lake/events.jsonl --profile events --rows 2000 --seed 4 -q

# The consumers' repository, as its team has it.
mkdir -p repo/sql repo/dash
git -C repo init -q -b main
git -C repo config user.email team@example.com
git -C repo config user.name Team
cat > repo/sql/billing.sql <<'SQL'
-- Revenue per country; owned by billing.
/* Reads the raw events. */
SELECT country, /* the money */ SUM(CAST(amount AS DOUBLE)) AS revenue
FROM events -- all of them
GROUP BY country;

-- Last activity per user
SELECT user_id, MAX(ts) AS last_seen
FROM events
GROUP BY user_id
SQL
printf '%s' "$(cat repo/sql/billing.sql)" > repo/sql/billing.sql  # no final newline
printf 'SELECT COUNT(DISTINCT user_id) AS users\r\nFROM events\r\nWHERE CAST(amount AS DOUBLE) > 100;\r\n' > repo/dash/active.sql
# A dbt project in the same repository: the staging import-CTE pattern, and a model that refs it.
mkdir -p repo/analytics/models/staging
printf 'name: shop_analytics\nversion: "1.0"\nmodel-paths: ["models"]\n' > repo/analytics/dbt_project.yml
printf 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n        meta: {gaggle_dataset: events}\n' \
  > repo/analytics/models/staging/sources.yml
cat > repo/analytics/models/staging/stg_events.sql <<'SQL'
{{ config(materialized='view') }}
-- staging: one row per event
with source as (select * from {{ source('raw', 'events') }}),
renamed as (
    select user_id, ts as happened_at, country  -- the columns we use
    from source
)
select * from renamed
SQL
printf "select country, count(distinct user_id) as users\nfrom {{ ref('stg_events') }}\ngroup by country\n" \
  > repo/analytics/models/active_users.sql
echo "# consumers" > repo/README.md
git -C repo add -A && git -C repo commit -qm "consumers' SQL"
cp repo/sql/billing.sql billing.orig; cp repo/dash/active.sql active.orig
# The user is mid-work: an edited README, an untracked file, a staged file.
echo "being edited" >> repo/README.md
echo scratch > repo/notes.txt
echo staged > repo/staged.txt && git -C repo add staged.txt
status_before=$(git -C repo status --porcelain); index_before=$(git -C repo ls-files -s); head_before=$(git -C repo rev-parse HEAD)

cat > catalog.yaml <<EOF2
gaggle_catalog: 1
datasets:
  - id: events
    uri: file://$WORK/lake/events.jsonl
    format: jsonl
consumers:
  - id: billing
    owner: team-billing
    upstream: [events]
    queries: repo/sql/billing.sql
    annotations: {gaggle.dev/queries-path: sql/billing.sql}
  - id: dashboard
    owner: team-dash
    upstream: [events]
    queries: repo/dash/active.sql
    annotations: {gaggle.dev/queries-path: dash/active.sql}
  - id: analytics
    owner: team-analytics
    upstream: [events]
    annotations: {gaggle.dev/dbt-project: analytics}
  - id: snow
    upstream: [events]
    queries: "SELECT IFF(CAST(amount AS DOUBLE) > 100, 'big', 'small') AS size, COUNT(*) AS n FROM events GROUP BY 1"
    annotations: {gaggle.dev/sql-dialect: snowflake}
  - id: escape
    upstream: [events]
    queries: "SELECT 1 FROM events"
    annotations: {gaggle.dev/queries-path: ../outside.sql}
EOF2
cat > spec.yaml <<EOF2
name: clean
version: 2
agent: {builtin: transform}
select: {ids: [events]}
transform:
  rename: {user_id: account_id, ts: event_time}
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, uri: "file://$WORK/v2/{id}/"}
rollout: {stages: [100%]}
verify: {sample: 0, seed: 1, table: "v{version}.{name}"}
EOF2
"$G" run spec.yaml --catalog catalog.yaml --state s.db --exit-when-paused > run.out 2>&1 || { cat run.out; fail "run"; }
# The Snowflake consumer's IFF runs translated: the final gate reads the dialect annotation.
grep -q "final gate passed: 5 of 5 consumer queries verified: 5 same answer" run.out || { cat run.out; fail "final gate"; }

# --- 1. The branch: one commit per consumer, on the real files.
"$G" consumers patch clean --repo repo/sql --state s.db --consumer component:billing --consumer component:dashboard \
  > patch.out 2>&1 || { cat patch.out; fail "consumers patch"; }
cat patch.out
grep -q "created branch gaggle/clean in .*: 2 commits" patch.out || fail "summary: $(cat patch.out)"
expect_eq "$(git -C repo rev-list --count main..gaggle/clean)" 2 "commits on the branch"
expect_eq "$(git -C repo diff-tree --no-commit-id --name-only -r gaggle/clean~1)" "sql/billing.sql" "first commit's files"
expect_eq "$(git -C repo diff-tree --no-commit-id --name-only -r gaggle/clean)" "dash/active.sql" "second commit's files"
git -C repo show gaggle/clean:sql/billing.sql > billing.new
git -C repo show gaggle/clean:dash/active.sql > active.new
cat > billing.want <<'SQL'
-- Revenue per country; owned by billing.
/* Reads the raw events. */
SELECT country, /* the money */ SUM(CAST(amount AS DOUBLE)) AS revenue
FROM v2.events -- all of them
GROUP BY country;

-- Last activity per user
SELECT account_id AS user_id, MAX(event_time) AS last_seen
FROM v2.events
GROUP BY account_id
SQL
printf '%s' "$(cat billing.want)" > billing.want
cmp billing.new billing.want || { diff billing.new billing.want; fail "billing.sql on the branch"; }
printf 'SELECT COUNT(DISTINCT account_id) AS users\r\nFROM v2.events\r\nWHERE CAST(amount AS DOUBLE) > 100;\r\n' > active.want
cmp active.new active.want || fail "active.sql on the branch (CRLF kept)"

# Each commit's patch applies to the user's checkout with git apply --check.
for c in gaggle/clean~1 gaggle/clean; do
  git -C repo format-patch -1 --stdout "$c" > "$WORK/one.patch"
  git -C repo apply --check "$WORK/one.patch" || fail "the patch of $c does not apply to the checkout"
done

# The user's checkout is untouched.
expect_eq "$(git -C repo symbolic-ref --short HEAD)" main "current branch"
expect_eq "$(git -C repo rev-parse HEAD)" "$head_before" "HEAD"
expect_eq "$(git -C repo status --porcelain)" "$status_before" "working tree status"
expect_eq "$(git -C repo ls-files -s)" "$index_before" "index"
cmp repo/sql/billing.sql billing.orig || fail "working-tree billing.sql changed"
cmp repo/dash/active.sql active.orig || fail "working-tree active.sql changed"

# The pull-request description carries the evidence.
desc=gaggle-logs/clean/branches/gaggle_clean.md
[ -f "$desc" ] || desc=$(ls gaggle-logs/clean/branches/*.md)
grep -q "^# gaggle: consumer queries for migration \`clean\`" "$desc" || fail "description title: $(head -3 "$desc")"
grep -q "^Passed (" "$desc" || fail "verification verdict: $(cat "$desc")"
grep -q "| \`sql/billing.sql:3\` | rewritten | same answer | [0-9][0-9]* | [0-9][0-9]* |" "$desc" || fail "billing evidence: $(cat "$desc")"
grep -q "| \`sql/billing.sql:8\` | rewritten | same answer | 2000 | 2000 |\|| \`sql/billing.sql:8\` | rewritten | same answer | [0-9]* | [0-9]* |" "$desc" || fail "second statement evidence"
grep -q "| \`dash/active.sql:1\` | rewritten | same answer | 1 | 1 |" "$desc" || fail "dashboard evidence: $(cat "$desc")"
grep -q "original on the old data and the rewritten one on the" "$desc" || fail "what was compared"

# --- 2. Refusals.
"$G" consumers patch clean --repo repo --state s.db --consumer component:billing > again.out 2>&1 && fail "existing branch replaced"
grep -q "already exists" again.out || fail "existing branch: $(cat again.out)"
"$G" consumers patch clean --repo repo --state s.db --consumer component:billing --branch main > main.out 2>&1 && fail "current branch moved"
grep -q "never moves the branch you are on" main.out || fail "current branch: $(cat main.out)"
"$G" consumers patch clean --repo repo --state s.db --consumer component:escape --branch esc > esc.out 2>&1 && fail "path escaping accepted"
grep -q "climbs out with '..'" esc.out || fail "escape: $(cat esc.out)"
echo "-- mine" >> repo/sql/billing.sql
"$G" consumers patch clean --repo repo --state s.db --consumer component:billing --branch dirty > dirty.out 2>&1 && fail "dirty file accepted"
grep -q "uncommitted changes .*M sql/billing.sql" dirty.out || fail "dirty: $(cat dirty.out)"
git -C repo checkout -q -- sql/billing.sql
# Replacing, by request: only billing this time.
"$G" consumers patch clean --repo repo --state s.db --consumer component:billing --replace-branch --json > replace.json \
  || { cat replace.json; fail "replace"; }
expect_eq "$(git -C repo rev-list --count main..gaggle/clean)" 1 "commits after replacing"
grep -q '"replaced": "[0-9a-f]\{40\}"' replace.json || fail "replace json: $(cat replace.json)"

# --- 3. A dbt project: its models rewritten in place, Jinja kept, checked model by model.
"$G" consumers patch clean --repo repo --state s.db --consumer component:analytics --branch gaggle/dbt > dbt.out 2>&1 \
  || { cat dbt.out; fail "dbt consumer"; }
cat dbt.out
expect_eq "$(git -C repo rev-list --count main..gaggle/dbt)" 1 "dbt commits"
expect_eq "$(git -C repo diff-tree --no-commit-id --name-only -r gaggle/dbt)" "analytics/models/staging/stg_events.sql" "dbt files changed"
git -C repo show gaggle/dbt:analytics/models/staging/stg_events.sql > stg.new
cat > stg.want <<'SQL'
{{ config(materialized='view') }}
-- staging: one row per event
with source as (select * from {{ source('raw', 'events') }}),
renamed as (
    select account_id, event_time as happened_at, country  -- the columns we use
    from source
)
select account_id AS user_id, happened_at, country from renamed
SQL
cmp stg.new stg.want || { diff stg.new stg.want; fail "stg_events.sql on the branch"; }
ddesc=$(ls gaggle-logs/clean/branches/gaggle_dbt*.md)
grep -q "dbt project \`analytics\`, checked now model by model .*: 2 models verified: 2 same answer" "$ddesc" || fail "dbt description: $(cat "$ddesc")"
grep -q "| \`analytics/models/staging/stg_events.sql:3\` | rewritten | same answer | 2000 | 2000 |" "$ddesc" || fail "dbt evidence: $(cat "$ddesc")"
grep -q "| \`analytics/models/active_users.sql:1\` | unchanged | same answer |" "$ddesc" || fail "dbt unchanged model: $(cat "$ddesc")"

# --- 4. By default: every consumer whose files are in the repository; the others are listed.
"$G" consumers patch clean --repo repo --state s.db --branch gaggle/all > all.out 2>&1 || { cat all.out; fail "default consumers"; }
grep -q "created branch gaggle/all in .*: 3 commits" all.out || fail "default consumers: $(cat all.out)"
grep -q "skipped  component:snow: no gaggle.dev/queries-path annotation" all.out || fail "snow skip: $(cat all.out)"
grep -q "skipped  component:escape: path '../outside.sql' cannot name a file in the repository" all.out || fail "skip: $(cat all.out)"

# --- 5. verify.output_names: propagate. A derived dataset (stg_events, made by its SQL in
# the repository) now outputs account_id; the consumer that reads it follows the rename.
mkdir -p prepo/models
git -C prepo init -q -b main
git -C prepo config user.email team@example.com
git -C prepo config user.name Team
printf -- '-- staging: the events we use\nselect user_id, country, CAST(amount AS DOUBLE) AS amount\nfrom events\n' \
  > prepo/models/stg_events.sql
printf 'select user_id, count(*) as n, sum(amount) as spent\nfrom stg_events -- the staging model\ngroup by user_id;\n' \
  > prepo/models/top_users.sql
# A dbt project reading the derived dataset through source(): not rewritten under
# propagation (its new side would be a query's answer), so it is skipped with the reason.
mkdir -p prepo/shop/models
printf 'name: shop\nversion: "1.0"\n' > prepo/shop/dbt_project.yml
printf 'version: 2\nsources:\n  - name: staged\n    tables:\n      - name: events\n        meta: {gaggle_dataset: stg_events}\n' \
  > prepo/shop/models/sources.yml
printf "select user_id from {{ source('staged', 'events') }}\n" > prepo/shop/models/users.sql
git -C prepo add -A && git -C prepo commit -qm "models"
cat > pcatalog.yaml <<EOF2
gaggle_catalog: 1
datasets:
  - id: events
    uri: file://$WORK/lake/events.jsonl
    format: jsonl
  - id: stg_events
    uri: file://$WORK/lake/stg_events.parquet
    format: parquet
    upstream: [events]
    queries: prepo/models/stg_events.sql
    annotations: {gaggle.dev/queries-path: models/stg_events.sql}
consumers:
  - id: top_users
    owner: team-growth
    upstream: [stg_events]
    queries: prepo/models/top_users.sql
    annotations: {gaggle.dev/queries-path: models/top_users.sql}
  - id: shop
    upstream: [stg_events]
    annotations: {gaggle.dev/dbt-project: shop}
EOF2
sed -e 's/^name: clean/name: prop/' -e 's#v2/{id}#v2p/{id}#' \
  -e 's/^verify: .*/verify: {sample: 0, seed: 1, output_names: propagate}/' spec.yaml > pspec.yaml
"$G" run pspec.yaml --catalog pcatalog.yaml --state p.db --exit-when-paused > prun.out 2>&1 || { cat prun.out; fail "propagate run"; }
grep -q "final gate passed: 2 of 2 consumer queries verified: 2 same answer" prun.out || { cat prun.out; fail "propagate gate"; }
# The patches the run saved carry the downstream consumer too.
grep -q "^+select account_id, count(\*) as n, sum(amount) as spent" gaggle-logs/prop/patches/component_top_users*.patch \
  || fail "saved downstream patch: $(cat gaggle-logs/prop/patches/*)"
"$G" consumers patch prop --repo prepo --state p.db > ppatch.out 2>&1 || { cat ppatch.out; fail "propagate patch"; }
cat ppatch.out
grep -q "created branch gaggle/prop in .*: 2 commits" ppatch.out || fail "propagate summary: $(cat ppatch.out)"
grep -q "skipped  component:shop: source 'staged.events' is stg_events, whose output columns the propagated rename changes" \
  ppatch.out || fail "dbt source of a changed consumer: $(cat ppatch.out)"
expect_eq "$(git -C prepo diff-tree --no-commit-id --name-only -r gaggle/prop~1)" "models/stg_events.sql" "first propagated commit"
expect_eq "$(git -C prepo diff-tree --no-commit-id --name-only -r gaggle/prop)" "models/top_users.sql" "downstream commit"
expect_eq "$(git -C prepo show gaggle/prop:models/stg_events.sql)" \
  "$(printf -- '-- staging: the events we use\nselect account_id, country, CAST(amount AS DOUBLE) AS amount\nfrom events')" "stg_events.sql"
expect_eq "$(git -C prepo show gaggle/prop:models/top_users.sql)" \
  "$(printf 'select account_id, count(*) as n, sum(amount) as spent\nfrom stg_events -- the staging model\ngroup by account_id;')" "top_users.sql"
for c in gaggle/prop~1 gaggle/prop; do
  git -C prepo format-patch -1 --stdout "$c" > "$WORK/p.patch"
  git -C prepo apply --check "$WORK/p.patch" || fail "the propagated patch of $c does not apply"
done
pdesc=$(ls gaggle-logs/prop/branches/*.md)
grep -q "Follows the renamed outputs of \`stg_events\` (\`user_id\` -> \`account_id\`)" "$pdesc" || fail "propagated description: $(cat "$pdesc")"
grep -q "| \`models/top_users.sql:1\` | rewritten | same answer |" "$pdesc" || fail "downstream evidence: $(cat "$pdesc")"
# With keep (the default), the same catalog changes only the derived dataset, which keeps its output name.
"$G" run spec.yaml --catalog pcatalog.yaml --state k.db --exit-when-paused > krun.out 2>&1 || { cat krun.out; fail "keep run"; }
grep -q "final gate passed: 1 of 1 consumer queries verified: 1 same answer" krun.out || { cat krun.out; fail "keep gate"; }
echo "ok"
