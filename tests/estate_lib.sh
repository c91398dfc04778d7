# The generated estate of the fleet tests, sourced after tests/lib.sh: one definition for
# fleet_crash.sh, many_hosts_faults.sh, s3_estate.sh and s3_fleet_crash.sh.

# make_tree_estate GAGGLE N ROWS [FANOUT] [ID_FORMAT] [TIERS]
#   lake/ID.csv for i = 0..N-1: `gaggle generate --profile events --rows ROWS --seed i`
#   (distinct event logs), two generators at a time; and catalog.yaml, a native catalog of
#   them (file://$WORK/lake/ID.csv, csv) in which dataset i > 0 reads dataset (i-1)/FANOUT —
#   a lineage tree — and has tier number i % (number of TIERS).
#   ID is `printf ID_FORMAT i`; defaults: FANOUT 3, ID_FORMAT ds%03d, TIERS "low standard critical".
make_tree_estate() {
  local g=$1 n=$2 rows=$3 fanout=${4:-3} id_format=${5:-ds%03d} tiers=${6:-low standard critical}
  mkdir -p lake
  local i
  for i in $(seq 0 $((n - 1))); do
    printf "$id_format %d\n" "$i" "$i"
  done | xargs -P 2 -n 2 sh -c '"$0" generate "lake/$1.csv" --profile events --rows '"$rows"' --seed "$2" -q' "$g" \
    || fail "generating the estate"
  /usr/bin/python3 - "$n" "$WORK" "$fanout" "$id_format" "$tiers" > catalog.yaml <<'PY'
import sys
n, work, fanout, id_format, tiers = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].split()
print("gaggle_catalog: 1\ndatasets:")
for i in range(n):
    ds = id_format % i
    print(f"  - id: {ds}\n    uri: file://{work}/lake/{ds}.csv\n    format: csv\n    tier: {tiers[i % len(tiers)]}")
    if i > 0:
        print(f"    upstream: [{id_format % ((i - 1) // fanout)}]")
PY
}

# events_spec_head NAME TARGET_URI [COMPRESSION] [DERIVE]
#   Prints the head of the spec the fleet tests migrate make_tree_estate's event logs with:
#   name, the transform (user_id -> account_id, amount cast to double, and DERIVE as a
#   `derive:` mapping when given), the Parquet target and the dead-letter limit. The caller
#   appends its rollout and fleet lines.
events_spec_head() {
  local name=$1 uri=$2 compression=${3:-zstd} derive=${4:-}
  printf 'name: %s\nversion: 2\nagent: {builtin: transform}\nselect: {match: {id: "*"}}\ntransform:\n' "$name"
  printf '  rename: {user_id: account_id}\n  cast: {amount: double}\n'
  [[ -n $derive ]] && printf '  derive: %s\n' "$derive"
  printf '  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}\n'
  printf 'target: {format: parquet, compression: %s, uri: "%s"}\ndead_letter: {max_fraction: 0.05}\n' "$compression" "$uri"
}

# check_migrated_exactly_once GAGGLE MIGRATION N ROWS
#   After crash loops over a make_tree_estate migration (state.db, outputs in out/ID/): every
#   one of the N datasets is validated, with one `validated` event; at most one recorded
#   attempt per dataset wrote its output (an attempt killed after its commit but before its
#   record leaves none: the next finds the output current, skipped=true); every manifest's
#   counts agree with its task (ROWS rows in); nothing is left running or staged; the event
#   chain verifies.
check_migrated_exactly_once() {
  local g=$1 migration=$2 n=$3 rows=$4
  "$g" status "$migration" --state state.db --json > status.json || fail "gaggle status $migration"
  /usr/bin/python3 - "$migration" "$n" "$rows" "$WORK" <<'PY' || fail "state, event log and manifests disagree"
import json, sqlite3, sys
migration, n, rows, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
status = json.load(open(f"{work}/status.json"))
assert status["succeeded"] == n, f"succeeded {status['succeeded']} != {n}"
assert status["running"] == [], status["running"]
db = sqlite3.connect(f"{work}/state.db")
states = dict(db.execute("SELECT state, count(*) FROM tasks WHERE migration = ? GROUP BY state", (migration,)))
assert states == {"validated": n}, states
validated = dict(db.execute("SELECT dataset, count(*) FROM events WHERE migration = ? AND to_state = 'validated' "
                            "GROUP BY dataset", (migration,)))
assert len(validated) == n and set(validated.values()) == {1}, {k: v for k, v in validated.items() if v != 1}
committed = {}
for dataset, detail in db.execute("SELECT dataset, detail FROM events WHERE migration = ? "
                                  "AND from_state = 'running' AND to_state = 'validating'", (migration,)):
    if not json.loads(detail)["skipped"]:
        committed[dataset] = committed.get(dataset, 0) + 1
assert all(v == 1 for v in committed.values()), {k: v for k, v in committed.items() if v != 1}
print(f"outputs written by a recorded attempt: {len(committed)}; by an attempt killed before its record: "
      f"{n - len(committed)}")
kills = db.execute("SELECT count(*) FROM events WHERE migration = ? AND from_state = 'running' "
                   "AND to_state = 'pending'", (migration,)).fetchone()[0]
print(f"tasks recovered from killed runners: {kills}")
for dataset, rows_out, rows_in in db.execute("SELECT dataset_id, rows_out, rows_in FROM tasks WHERE migration = ?",
                                              (migration,)):
    counts = json.load(open(f"{work}/out/{dataset}/_gaggle_manifest.json"))["counts"]
    assert counts["rows_out"] == rows_out and counts["rows_in"] == rows_in == rows, (dataset, counts, rows_out)
print("every dataset migrated exactly once; manifests agree")
PY
  local leftovers
  leftovers=$(find out -maxdepth 2 -path '*.gaggle-work*' | wc -l)
  expect_eq "$leftovers" 0 "staging leftovers"
  "$g" events --verify --state state.db > chain.out || { cat chain.out; fail "the event chain does not verify"; }
}
