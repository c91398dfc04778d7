# S3 servers for integration tests, sourced after tests/lib.sh: s3rver (npm, checks every
# Signature V4) and moto's server (Python's moto, when installed), on 127.0.0.1, one at a time.
# Sets HAVE_BOTO3 (1 when Python's boto3 is importable).
PY=${PY:-python3}
HAVE_BOTO3=0
$PY -c 'import boto3' 2> /dev/null && HAVE_BOTO3=1
bash "$ROOT/tests/s3/setup.sh" > /dev/null

SERVER_PID=""
SERVER_FD=""
start_server() {  # start_server KIND: s3rver or moto; sets GAGGLE_S3_ENDPOINT and the keys; 3 = not installed
  rm -f "$1.in" "$1.line"
  mkfifo "$1.in"
  if [[ "$1" == s3rver ]]; then
    node --openssl-legacy-provider "$ROOT/tests/s3/s3rver_server.mjs" "$WORK/$1-data" < "$1.in" > "$1.line" 2> "$1.err" &
  else
    $PY "$ROOT/tests/s3/moto_server.py" < "$1.in" > "$1.line" 2> "$1.err" &
  fi
  SERVER_PID=$!
  exec {SERVER_FD}> "$1.in"  # the server exits when its standard input closes
  for _ in $(seq 1 300); do
    [[ -s "$1.line" ]] && break
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.2
  done
  if [[ ! -s "$1.line" ]]; then
    wait "$SERVER_PID" 2> /dev/null && true
    local rc=$?
    stop_server
    [[ $rc -eq 3 ]] && return 3
    cat "$1.err" >&2
    fail "$1 did not start"
  fi
  local port
  port=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$1.line')).port)")
  export GAGGLE_S3_ENDPOINT="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION=us-east-1
  AWS_ACCESS_KEY_ID=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$1.line')).access_key)")
  AWS_SECRET_ACCESS_KEY=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$1.line')).secret_key)")
  export AWS_SHARED_CREDENTIALS_FILE="$WORK/no-credentials" AWS_CONFIG_FILE="$WORK/no-config"
}
stop_server() {
  [[ -n "$SERVER_FD" ]] && exec {SERVER_FD}>&-
  SERVER_FD=""
  if [[ -n "$SERVER_PID" ]]; then
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
  fi
  SERVER_PID=""
}
make_bucket() {
  if [[ $HAVE_BOTO3 -eq 1 ]]; then
    $PY -c 'import boto3, sys; boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1").create_bucket(Bucket="lake")' "$GAGGLE_S3_ENDPOINT"
  else
    aws --endpoint-url "$GAGGLE_S3_ENDPOINT" s3 mb s3://lake > /dev/null
  fi
}

# check_object_commits PREFIX MODE: every dataset under s3://lake/PREFIX/ (each name not
# starting with "_"; _gaggle_quarantine holds rolled-back outputs) with a manifest is read
# back with boto3: T's manifest names one attempt whose listing holds exactly the objects it
# lists (sizes, ETags), and each output's sha256 is the manifest's. MODE "final" also
# requires one attempt per dataset (none abandoned) and no incomplete multipart upload (where
# the server can list them). Prints a JSON summary: per dataset rows_in, rows_out, attempt;
# "_stale_attempts" and "_uploads" (null: the server cannot list uploads).
check_object_commits() {
  $PY - "$GAGGLE_S3_ENDPOINT" lake "$1" "$2" <<'PY'
import hashlib, json, sys
import boto3
from botocore.exceptions import ClientError
endpoint, bucket, prefix, mode = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
def keys(p):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=p):
        for o in page.get("Contents", []):
            out[o["Key"]] = (o["Size"], o["ETag"].strip('"'))
    return out
everything = keys(prefix + "/")
datasets = sorted({k[len(prefix) + 1:].split("/")[0] for k in everything} - {""})
datasets = [d for d in datasets if not d.startswith("_")]
summary, stale = {}, 0
for ds in datasets:
    base = f"{prefix}/{ds}"
    attempts = {k[len(base) + len("/_gaggle_attempts/"):].split("/")[0] for k in everything
                if k.startswith(f"{base}/_gaggle_attempts/")}
    foreign = [k for k in everything if k.startswith(base + "/") and not k.startswith(f"{base}/_gaggle_attempts/")
               and k != f"{base}/_gaggle_manifest.json"]
    assert not foreign, f"{base}: unexpected objects {foreign}"
    if f"{base}/_gaggle_manifest.json" not in everything:
        assert mode != "final", f"{base}: no manifest"
        stale += len(attempts)
        continue
    top = json.loads(s3.get_object(Bucket=bucket, Key=f"{base}/_gaggle_manifest.json")["Body"].read())
    attempt = top["attempt"]
    root = f"{base}/_gaggle_attempts/{attempt}/"
    listed = {k[len(root):]: v for k, v in everything.items() if k.startswith(root)}
    want = {o["path"]: (o["bytes"], o["etag"]) for o in top["objects"]}
    assert listed == want, f"{base}: attempt {attempt} lists {listed}, its manifest {want}"
    for out in top["outputs"]:
        data = s3.get_object(Bucket=bucket, Key=root + out["path"])["Body"].read()
        assert len(data) == out["bytes"] and hashlib.sha256(data).hexdigest() == out["sha256"], (base, out["path"])
    stale += len(attempts - {attempt})
    if mode == "final":
        assert attempts == {attempt}, f"{base}: attempts {attempts}, current {attempt}"
    summary[ds] = {"rows_in": top["counts"]["rows_in"], "rows_out": top["counts"]["rows_out"], "attempt": attempt}
summary["_stale_attempts"] = stale
try:
    summary["_uploads"] = len(s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix + "/").get("Uploads", []))
except ClientError:
    summary["_uploads"] = None  # s3rver implements no ListMultipartUploads
if mode == "final":
    assert summary["_uploads"] in (None, 0), f"{summary['_uploads']} incomplete multipart uploads under {prefix}/"
print(json.dumps(summary))
PY
}
