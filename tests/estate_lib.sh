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
