#!/usr/bin/env bash
# Downstream verification of the 22 TPC-H queries (called by bench/run.sh with BUILD DATA_DIR;
# prints markdown). bench/verify_tpch_bench.cc generates gaggle's own TPC-H data at
# BENCH_TPCH_SF (default 1; kept in bench/out/tpch between runs), migrates it with renames
# and a cast, and times gaggle's QueryVerifier (old data through the appender, new Parquet in
# place, every query on both sides, answers compared) against DuckDB answering the same 22
# queries straight on the files, both with the engine's memory_limit BENCH_TPCH_MEMORY
# (default 2GB). Goal: ratio >= 0.5.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/out/tpch"
mkdir -p "$OUT"
echo
echo "### Downstream verification, TPC-H"
echo
"$ROOT/$BUILD/verify_tpch_bench" "$ROOT" "$OUT" "${BENCH_TPCH_SF:-1}" "${BENCH_TPCH_MEMORY:-2GB}"
