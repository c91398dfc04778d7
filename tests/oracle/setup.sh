#!/usr/bin/env bash
# Installs the independent test oracles from npm (DuckDB for Parquet, avsc for Avro)
# into tests/oracle/node_modules, once. Versions are pinned in package.json.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -d node_modules/@duckdb/node-api || ! -d node_modules/avsc ]]; then
  npm install --no-audit --no-fund --loglevel=error
fi
