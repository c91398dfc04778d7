#!/usr/bin/env bash
# Object storage on loopback (part of `make bench`): gaggle's S3 client against boto3's
# managed transfers (upload_file/download_file, default multipart concurrency) on the same
# files and the same server in the same run, and one Parquet column read through ranged
# GETs against downloading the whole object. Prints a markdown section with the ratios.
# Usage: bench/run-s3.sh BUILD_DIR DATA_DIR
# S3_BENCH_SERVER: s3rver (default; npm) or moto (Python, where installed)
# S3_BENCH_MB: size of the transfer file (default 256)
# S3_BENCH_PARQUET_ROWS: rows of the Parquet object (default 25,000,000: about 1 GB)
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${2:-$ROOT/bench/out/data}"
G="$ROOT/$BUILD/gaggle"
BENCH="$ROOT/$BUILD/s3_bench"
SERVER="${S3_BENCH_SERVER:-s3rver}"
MB="${S3_BENCH_MB:-256}"
PQ_ROWS="${S3_BENCH_PARQUET_ROWS:-25000000}"
WORK="$(mktemp -d /tmp/gaggle-s3-bench-XXXXXX)"
mkdir -p "$DATA"

cleanup() {
  [[ -n "${SERVER_PID:-}" ]] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Start the server; its first line is {"port": N, "access_key": ..., "secret_key": ...}.
if [[ "$SERVER" == moto ]]; then
  coproc SRV { exec python3 "$ROOT/tests/s3/moto_server.py"; }
else
  bash "$ROOT/tests/s3/setup.sh" >&2
  coproc SRV { exec node --openssl-legacy-provider "$ROOT/tests/s3/s3rver_server.mjs" "$WORK/store"; }
fi
SERVER_PID=$SRV_PID
read -r -t 90 INFO <&"${SRV[0]}" || { echo "bench: $SERVER did not start" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$INFO" "$1"; }
export AWS_ENDPOINT_URL="http://127.0.0.1:$(field port)"
export AWS_ACCESS_KEY_ID="$(field access_key)" AWS_SECRET_ACCESS_KEY="$(field secret_key)" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE
secs() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$1"; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/s/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

"$BENCH" mkbucket s3://bench
head -c "$((MB << 20))" /dev/urandom > "$WORK/blob"
BYTES=$(stat -c %s "$WORK/blob")

echo ""
echo "## Object storage on loopback ($SERVER, $MB MiB file): gaggle's S3 client vs boto3"
echo ""
up=$("$BENCH" upload "$WORK/blob" s3://bench/gaggle.bin); up_s=$(secs "$up")
down=$("$BENCH" download s3://bench/gaggle.bin "$WORK/gaggle.out"); down_s=$(secs "$down")
cmp -s "$WORK/blob" "$WORK/gaggle.out" || { echo "bench: gaggle's download differs from the upload" >&2; exit 1; }
echo "| operation | tool | seconds | MB/s | gaggle/boto3 (throughput) |"
echo "|---|---|---|---|---|"
if python3 -c 'import boto3' 2>/dev/null; then
  bup=$(python3 "$ROOT/bench/s3_boto3_peer.py" upload "$WORK/blob" bench boto3.bin); bup_s=$(secs "$bup")
  bdown=$(python3 "$ROOT/bench/s3_boto3_peer.py" download bench gaggle.bin "$WORK/boto3.out"); bdown_s=$(secs "$bdown")
  cmp -s "$WORK/blob" "$WORK/boto3.out" || { echo "bench: boto3 read back other bytes than gaggle wrote" >&2; exit 1; }
  echo "| upload | gaggle | $up_s | $(mbps "$BYTES" "$up_s") | $(ratio "$bup_s" "$up_s") |"
  echo "| upload | boto3 upload_file | $bup_s | $(mbps "$BYTES" "$bup_s") | |"
  echo "| download | gaggle | $down_s | $(mbps "$BYTES" "$down_s") | $(ratio "$bdown_s" "$down_s") |"
  echo "| download | boto3 download_file | $bdown_s | $(mbps "$BYTES" "$bdown_s") | |"
else
  echo "| upload | gaggle | $up_s | $(mbps "$BYTES" "$up_s") | (boto3 not installed: peer skipped) |"
  echo "| download | gaggle | $down_s | $(mbps "$BYTES" "$down_s") | |"
fi

PQ="$DATA/s3-bench-$PQ_ROWS.parquet"
if [[ ! -s "$PQ" ]]; then
  echo "bench: generating $(basename "$PQ") ($PQ_ROWS rows)" >&2
  "$G" generate "$PQ" --profile bench --rows "$PQ_ROWS" --seed 42 --compression snappy -q
fi
PQ_BYTES=$(stat -c %s "$PQ")
"$BENCH" upload "$PQ" s3://bench/table.parquet > /dev/null
col0=$("$BENCH" column s3://bench/table.parquet 0); col0_s=$(secs "$col0")
col=$("$BENCH" column s3://bench/table.parquet 1); col_s=$(secs "$col")
whole=$("$BENCH" download s3://bench/table.parquet "$WORK/table.parquet"); whole_s=$(secs "$whole")
echo ""
echo "## One Parquet column through ranged GETs vs the whole object ($(awk -v b="$PQ_BYTES" 'BEGIN{printf "%.0f", b/1e6}') MB, $PQ_ROWS rows)"
echo ""
echo "| read | seconds | bytes fetched | GET requests | whole/column (time) |"
echo "|---|---|---|---|---|"
echo "| column 0 (int64 ids) of every row group, decoded | $col0_s | $(jget "$col0" bytes) | $(jget "$col0" requests) | $(ratio "$whole_s" "$col0_s") |"
echo "| column 1 (strings) of every row group, decoded | $col_s | $(jget "$col" bytes) | $(jget "$col" requests) | $(ratio "$whole_s" "$col_s") |"
echo "| whole object downloaded | $whole_s | $PQ_BYTES | | |"
