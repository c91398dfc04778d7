#!/usr/bin/env bash
# An estate migrated into object storage (issue 17): local CSV datasets, s3:// targets, on
# s3rver (npm; checks every Signature V4) and on moto's server when Python's moto is
# installed (the script prints which ran). For each server:
#   1. `gaggle run` to the end (no consumers here: s3_after_migration.sh verifies), then an
#      independent client (boto3; without it, gaggle's own validate) reads every dataset
#      back: T's manifest names one attempt whose listing is exactly the objects it lists
#      (sizes, ETags), each data object's sha256 is the manifest's, and DuckDB counts the
#      downloaded rows against the manifest's and the source's; the catalog is cut over
#      with the output's schema, and the audit archive holds every commit record;
#   2. a rerun (same state) and a rerun from a fresh state change no object;
#   3. `gaggle rollback` quarantines the outputs (server-side copy, then delete; the
#      quarantine checks out like a commit) and the next run migrates them again;
#   4. gaggle run killed with SIGKILL 5 times (within 1.5 s, or on moto as soon as an upload
#      is in flight), then run to the end: after every kill no dataset shows a commit that
#      does not check out; at the end every dataset has one attempt and (moto, which can
#      list them) no incomplete multipart upload;
#   5. the reverse estate (the same files as s3:// sources, local targets) runs to the end
#      and reruns as a no-op, and gc deletes its old objects but a rewritten and foreign ones.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/estate_lib.sh"
source "$ROOT/tests/s3_lib.sh"
G="$1"
PY=python3
trap stop_server EXIT

N=6
BIG=4            # datasets ds0..ds3 are big, the others small
BIG_ROWS=600000  # uncompressed Parquet of ~20 MB: a multipart upload of several 8 MiB parts
# A binary lineage tree, tiers alternating; the big datasets regenerated larger.
make_tree_estate "$G" "$N" 20000 2 'ds%d' "low standard"
for i in $(seq 0 $((BIG - 1))); do
  "$G" generate "lake/ds$i.csv" --profile events --rows "$BIG_ROWS" --seed "$i" -q
done

write_spec() {  # write_spec FILE NAME PREFIX CONCURRENCY
  cat > "$1" <<EOF
name: $2
version: 2
agent: {builtin: transform}
select: {match: {id: "*"}}
transform:
  rename: {user_id: account_id}
  cast: {amount: double}
  derive: {amount_cents: "amount * 100"}
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: none, uri: "s3://lake/$3/{id}/"}
dead_letter: {max_fraction: 0.05}
rollout: {stages: [30%, 100%], canary: {tier: [low]}}
fleet: {concurrency: $4, timeout: 120s, retries: {max: 2, initial: 10ms}}
verify: {enabled: false}
EOF
}

# Reads every dataset of PREFIX back with boto3 and checks it against its manifest; with
# "partial", datasets without a manifest are allowed (a run was killed). Prints a JSON
# summary; downloads the data files under dl/PREFIX/ID/.
check_with_boto3() {  # check_with_boto3 PREFIX MODE
  $PY - "$GAGGLE_S3_ENDPOINT" lake "$1" "$N" "$2" "$WORK/dl/$1" <<'PY'
import hashlib, json, os, sys
import boto3
from botocore.exceptions import ClientError
endpoint, bucket, prefix, n, mode, dl = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
def keys(p):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=p):
        for o in page.get("Contents", []):
            out[o["Key"]] = (o["Size"], o["ETag"].strip('"'))
    return out
summary = {}
for i in range(n):
    base = f"{prefix}/ds{i}"
    try:
        top = json.loads(s3.get_object(Bucket=bucket, Key=f"{base}/_gaggle_manifest.json")["Body"].read())
    except ClientError as e:
        assert mode == "partial", f"{base}: no manifest ({e})"
        continue
    attempt = top["attempt"]
    root = f"{base}/_gaggle_attempts/{attempt}/"
    listed = {k[len(root):]: v for k, v in keys(root).items()}
    want = {o["path"]: (o["bytes"], o["etag"]) for o in top["objects"]}
    assert listed == want, f"{base}: attempt {attempt} lists {listed}, its manifest {want}"
    for out in top["outputs"]:
        data = s3.get_object(Bucket=bucket, Key=root + out["path"])["Body"].read()
        assert len(data) == out["bytes"] and hashlib.sha256(data).hexdigest() == out["sha256"], (base, out["path"])
        path = os.path.join(dl, f"ds{i}", out["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").write(data)
    attempts = {k[len(base) + len("/_gaggle_attempts/"):].split("/")[0] for k in keys(f"{base}/_gaggle_attempts/")}
    foreign = [k for k in keys(base + "/") if not k.startswith(f"{base}/_gaggle_attempts/") and k != f"{base}/_gaggle_manifest.json"]
    assert not foreign, f"{base}: unexpected objects {foreign}"
    if mode == "final":
        assert attempts == {attempt}, f"{base}: attempts {attempts}, current {attempt}"
    summary[f"ds{i}"] = {"rows_in": top["counts"]["rows_in"], "rows_out": top["counts"]["rows_out"], "attempt": attempt}
current = {f"ds{i}": v["attempt"] for i in range(n) for k, v in summary.items() if k == f"ds{i}"}
stale = set()
for k in keys(prefix + "/"):
    parts = k.split("/")
    if len(parts) > 3 and parts[2] == "_gaggle_attempts" and parts[3] != current.get(parts[1]):
        stale.add((parts[1], parts[3]))
summary["_stale_attempts"] = len(stale)
try:
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix + "/").get("Uploads", [])
    summary["_uploads"] = len(uploads)
except ClientError:
    summary["_uploads"] = None  # s3rver implements no ListMultipartUploads
print(json.dumps(summary))
PY
}

# The listing of everything under PREFIX: key, size, ETag.
snapshot() {
  $PY -c 'import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="lake", Prefix=sys.argv[2] + "/"):
    for o in page.get("Contents", []): print(o["Key"], o["Size"], o["ETag"])' "$GAGGLE_S3_ENDPOINT" "$1"
}

# Returns once PREFIX shows an attempt in progress (objects of an attempt its dataset's
# manifest does not name, or an incomplete multipart upload); fails after 20 s.
await_partial_attempt() {
  $PY - "$GAGGLE_S3_ENDPOINT" "$1" <<'PY'
import json, sys, time
import boto3
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
prefix = sys.argv[2] + "/"
deadline = time.time() + 20
while time.time() < deadline:
    try:
        if s3.list_multipart_uploads(Bucket="lake", Prefix=prefix).get("Uploads"):
            sys.exit(0)
    except ClientError:
        pass
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="lake", Prefix=prefix):
        for o in page.get("Contents", []):
            parts = o["Key"].split("/")
            if len(parts) > 3 and parts[2] == "_gaggle_attempts":
                try:
                    top = json.loads(s3.get_object(Bucket="lake", Key="/".join(parts[:2]) + "/_gaggle_manifest.json")["Body"].read())
                    if top["attempt"] == parts[3]:
                        continue
                except ClientError:
                    pass
                sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
}


# Checks the run of PREFIX with the independent client and DuckDB; MODE "final" or "partial".
check_estate() {  # check_estate PREFIX MODE
  if [[ $HAVE_BOTO3 -eq 0 ]]; then
    # Our own client as the reader: gaggle validate reads each committed attempt back.
    [[ "$2" == partial ]] && return 0
    for i in $(seq 0 $((N - 1))); do
      "$G" validate "lake/ds$i.csv" "s3://lake/$1/ds$i" --spec spec-$1.yaml > /dev/null || fail "validate ds$i"
    done
    echo "checked $1 with gaggle validate (boto3 absent)"
    return 0
  fi
  local out="check-${1//\//_}.json"
  check_with_boto3 "$1" "$2" > "$out" || fail "$1: object store disagrees with the manifests ($2)"
  [[ "$2" == partial ]] && return 0
  for i in $(seq 0 $((N - 1))); do
    want=$([[ $i -lt $BIG ]] && echo $BIG_ROWS || echo 20000)
    rows_in=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$out'))['ds$i'].rows_in)")
    rows_out=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$out'))['ds$i'].rows_out)")
    expect_eq "$rows_in" "$want" "$1/ds$i rows in"
    expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('dl/$1/ds$i/*.parquet')")" "$rows_out" "$1/ds$i rows read back by DuckDB"
  done
}

run_on() {  # run_on KIND
  local kind="$1"
  make_bucket
  # 1. The estate to the end.
  write_spec "spec-v2.yaml" "s3-estate-$kind" v2 2
  timeout 600 "$G" run spec-v2.yaml --catalog catalog.yaml --state "state-$kind.db" -q > "run-$kind.out" 2> "run-$kind.err" ||
    { cat "run-$kind.err" "run-$kind.out"; fail "$kind: run failed"; }
  check_estate v2 final
  # Cut over: the catalog names the object-store location and the schema its manifest records.
  "$G" catalog show ds1 --state "state-$kind.db" --json > "show-$kind.json"
  node -e "const e=JSON.parse(require('fs').readFileSync('show-$kind.json')); const d=e.entity||e;
    if (!String(d.uri).startsWith('s3://lake/v2/ds1')) throw new Error('uri ' + d.uri);
    if (!String(d.schema).includes('amount_cents')) throw new Error('schema ' + d.schema);" ||
    { cat "show-$kind.json"; fail "$kind: the catalog was not cut over to the object-store output"; }
  [[ $HAVE_BOTO3 -eq 1 ]] || return 0
  local uploads
  uploads=$(node -e "console.log(JSON.parse(require('fs').readFileSync('check-v2.json'))._uploads)")
  [[ "$uploads" == null || "$uploads" == 0 ]] || fail "$kind: $uploads incomplete uploads after a clean run"

  # 2. Reruns change nothing: with the same state, and from a fresh one (every agent runs and
  # finds its output current).
  snapshot v2 > "before-$kind.txt"
  [[ $(wc -l < "before-$kind.txt") -ge $((N * 3)) ]] || fail "$kind: expected at least $((N * 3)) objects"
  timeout 300 "$G" run spec-v2.yaml --state "state-$kind.db" -q > /dev/null 2>> "run-$kind.err" || fail "$kind: rerun failed"
  timeout 300 "$G" run spec-v2.yaml --catalog catalog.yaml --state "fresh-$kind.db" --json > "fresh-$kind.json" 2>> "run-$kind.err" ||
    fail "$kind: rerun from a fresh state failed"
  expect_eq "$(node -e "console.log(JSON.parse(require('fs').readFileSync('fresh-$kind.json')).skipped)")" "$N" "$kind: datasets found current"
  snapshot v2 > "after-$kind.txt"
  cmp -s "before-$kind.txt" "after-$kind.txt" || { diff "before-$kind.txt" "after-$kind.txt" | head; fail "$kind: a rerun changed objects"; }

  # The audit archive holds every output's commit record, naming its attempt.
  "$G" archive "s3-estate-$kind" --state "state-$kind.db" --out "audit-$kind.tar.zst" > /dev/null ||
    fail "$kind: archive failed"
  "$G" archive verify "audit-$kind.tar.zst" > /dev/null || fail "$kind: archive does not verify"
  mkdir -p "audit-$kind" && tar --zstd -xf "audit-$kind.tar.zst" -C "audit-$kind"
  [[ $(grep -l '"attempt"' $(find "audit-$kind" -path '*manifests/*.json') | wc -l) -eq $N ]] ||
    fail "$kind: the archive lacks the outputs' commit records"

  # Rollback quarantines the outputs by server-side copy (each still a checkable commit
  # there), leaves nothing of gaggle's at the targets, and points the catalog back; the next
  # run migrates the datasets again.
  "$G" rollback "s3-estate-$kind" --state "state-$kind.db" > "rollback-$kind.out" 2>&1 ||
    { cat "rollback-$kind.out"; fail "$kind: rollback failed"; }
  local q
  q=$(grep -o "v2/_gaggle_quarantine/s3-estate-$kind/[^/]*" "rollback-$kind.out" | head -1)
  [[ -n "$q" ]] || { cat "rollback-$kind.out"; fail "$kind: rollback named no quarantine"; }
  check_estate "$q" final
  [[ -z "$(snapshot v2 | grep -v "^v2/_gaggle_quarantine/")" ]] || fail "$kind: gaggle objects left at the targets after rollback"
  "$G" catalog show ds1 --state "state-$kind.db" --json | grep -q "\"uri\": \"file://$WORK/lake/ds1.csv\"" ||
    fail "$kind: the catalog does not point back at the old data after rollback"
  timeout 600 "$G" run spec-v2.yaml --state "state-$kind.db" -q > /dev/null 2>> "run-$kind.err" || fail "$kind: run after rollback failed"
  check_estate v2 final

  # 3. Kill -9 mid-run, at most 5 times, then finish.
  write_spec "spec-v3.yaml" "s3-kill-$kind" v3 1  # one at a time: the run lasts long enough to be killed
  local seed=4242 killed=0
  for k in 1 2 3 4 5; do
    # Bounded by the kill itself: every run is killed within 1.5 s unless it finished.
    "$G" run spec-v3.yaml --catalog catalog.yaml --state "kill-$kind.db" -q --exit-when-paused > /dev/null 2> "kill-$kind-$k.err" &
    local pid=$!
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    if [[ $((k % 2)) -eq 1 && $HAVE_BOTO3 -eq 1 && "$kind" == moto ]]; then
      # Odd kills on moto land mid-commit: as soon as a multipart upload is in flight or an
      # attempt that is not current has objects; at most 20 s of watching. (On s3rver, which
      # cannot list uploads, the watcher is too slow to catch one: random moments only.)
      await_partial_attempt v3 || true
    else
      sleep "$(awk -v m=$((300 + seed % 1200)) 'BEGIN{printf "%.3f", m/1000}')"
    fi
    if kill -9 "$pid" 2> /dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2> /dev/null || true
    check_estate v3 partial
  done
  if [[ $HAVE_BOTO3 -eq 1 ]]; then
    echo "$kind: after the kills: $(node -e "const c=JSON.parse(require('fs').readFileSync('check-v3.json'));
      console.log(Object.keys(c).filter(k => !k.startsWith('_')).length + ' datasets committed, ' + c._stale_attempts +
        ' abandoned attempts, incomplete uploads: ' + c._uploads)")"
  fi
  if grep -h "gaggle: error" kill-"$kind"-*.err; then fail "$kind: a run failed on its own before it was killed"; fi
  timeout 600 "$G" run spec-v3.yaml --state "kill-$kind.db" -q --exit-when-paused > /dev/null 2> "final-$kind.err" ||
    { cat "final-$kind.err"; fail "$kind: final run after the kills failed"; }
  check_estate v3 final
  uploads=$(node -e "console.log(JSON.parse(require('fs').readFileSync('check-v3.json'))._uploads)")
  [[ "$uploads" == null || "$uploads" == 0 ]] || fail "$kind: $uploads incomplete multipart uploads left after the rerun"
  reverse_estate "$kind"
  echo "$kind: estate of $N datasets migrated, reread, rerun unchanged, rolled back into quarantine and migrated again; killed $killed times mid-run, then" \
    "finished with one attempt per dataset; incomplete uploads checked: $([[ "$uploads" == null ]] && echo "no (the server cannot list them)" || echo yes)"
}

# The reverse estate: the same CSV files as objects (s3://lake/raw/), local targets. DuckDB
# counts each output's rows; a rerun from a fresh state finds every output current.
reverse_estate() {  # reverse_estate KIND
  local kind="$1"
  [[ $HAVE_BOTO3 -eq 1 ]] || return 0
  $PY -c 'import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for i in range(int(sys.argv[2])): s3.upload_file(f"lake/ds{i}.csv", "lake", f"raw/ds{i}.csv")' "$GAGGLE_S3_ENDPOINT" "$N"
  sed -e "s|file://$WORK/lake/|s3://lake/raw/|" catalog.yaml > "catalog-s3-$kind.yaml"
  write_spec "spec-back.yaml" "s3-back-$kind" unused 2
  sed -i -e "s|uri: \"s3://lake/unused/{id}/\"|uri: \"file://$WORK/back-$kind/{id}/\"|" spec-back.yaml
  grep -q "back-$kind" spec-back.yaml || fail "reverse spec"
  timeout 600 "$G" run spec-back.yaml --catalog "catalog-s3-$kind.yaml" --state "back-$kind.db" -q > /dev/null 2> "back-$kind.err" ||
    { cat "back-$kind.err"; fail "$kind: run from s3:// sources to local targets failed"; }
  for i in $(seq 0 $((N - 1))); do
    local want rows_out
    want=$([[ $i -lt $BIG ]] && echo $BIG_ROWS || echo 20000)
    rows_out=$(node -e "const m=JSON.parse(require('fs').readFileSync('back-$kind/ds$i/_gaggle_manifest.json'));
      if (m.counts.rows_in !== $want) throw new Error('rows_in ' + m.counts.rows_in); console.log(m.counts.rows_out)")
    expect_eq "$(duck_value "SELECT count(*) FROM read_parquet('back-$kind/ds$i/*.parquet')")" "$rows_out" "$kind: back/ds$i rows"
  done
  timeout 300 "$G" run spec-back.yaml --catalog "catalog-s3-$kind.yaml" --state "back-fresh-$kind.db" --json > "back-fresh-$kind.json" 2>> "back-$kind.err" ||
    fail "$kind: reverse rerun failed"
  expect_eq "$(node -e "console.log(JSON.parse(require('fs').readFileSync('back-fresh-$kind.json')).skipped)")" "$N" "$kind: reverse outputs found current"

  # gc of the old data in object storage: after the retention, exactly the listed objects
  # go; one rewritten since it was read, and objects nobody listed, stay.
  $PY -c 'import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.put_object(Bucket="lake", Key="raw/foreign.csv", Body=b"a,b\n1,2\n")
s3.put_object(Bucket="lake", Key="raw/ds0.csv.notes", Body=b"theirs")
s3.put_object(Bucket="lake", Key="raw/ds5.csv", Body=b"rewritten since the migration read it\n")' "$GAGGLE_S3_ENDPOINT"
  "$G" gc --state "back-$kind.db" --now 2099-01-01T00:00:00Z --json > "gc-$kind.json" 2>> "back-$kind.err" ||
    { cat "gc-$kind.json" "back-$kind.err"; fail "$kind: gc of object-store old data failed"; }
  $PY - "$GAGGLE_S3_ENDPOINT" "$N" "gc-$kind.json" <<'PY' || fail "$kind: gc deleted the wrong objects"
import boto3, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
n, report = int(sys.argv[2]), json.load(open(sys.argv[3]))
left = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket="lake", Prefix="raw/")
        for o in page.get("Contents", [])}
assert left == {f"raw/ds{n - 1}.csv", "raw/foreign.csv", "raw/ds0.csv.notes"}, left
assert s3.get_object(Bucket="lake", Key=f"raw/ds{n - 1}.csv")["Body"].read().startswith(b"rewritten"), "changed object"
assert report["files"] == n - 1, report
print(f"gc deleted {report['files']} objects, {report['bytes']} bytes; kept {sorted(left)}")
PY
  echo "$kind: reverse estate (s3:// sources, local targets) migrated and found current on rerun; gc deleted the listed old objects only"
}

ran=()
for kind in s3rver moto; do
  rm -rf dl
  if start_server "$kind"; then
    run_on "$kind"
    stop_server
    ran+=("$kind")
  else
    echo "$kind: not installed on this machine, skipped"
  fi
done
echo "ok: servers that ran: ${ran[*]}"
