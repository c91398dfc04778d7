#!/usr/bin/env bash
# Installs the Debian packages gaggle needs to build and test, only when missing.
# Safe to run any number of times; needs root (or sudo) on a fresh Debian 12 machine.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache clang
  libavro-dev libzstd-dev libsnappy-dev zlib1g-dev libsqlite3-dev liblz4-dev libbrotli-dev libbz2-dev liblzma-dev
  libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libcpp-httplib-dev libcli11-dev libfmt-dev libxxhash-dev libssl-dev
  libcurl4-openssl-dev libpugixml-dev
  libpqxx-dev libpq-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-avro python3-snappy python3-zstandard python3-yaml zstd time patch tar
  chromium wrk openssl
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the test oracle (DuckDB from npm). Any node >= 18 with npm will do,
# so only install Debian's when none is on the PATH (nodesource builds bundle npm).
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The downstream verifier links DuckDB's C library, fetched from npm at the version pinned
# in third_party/duckdb.lock (once; kept while the lock is unchanged).
bash "$(dirname "$0")/fetch-duckdb.sh"
