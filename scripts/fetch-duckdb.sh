#!/usr/bin/env bash
# Fetches the DuckDB C library and header pinned in third_party/duckdb.lock into
# third_party/duckdb/{lib,include}, once: a folder whose stamp matches the lock is kept.
# Both come from the npm registry through npm (npm pack), and each tarball is checked
# against the sha512 integrity recorded in the lock before anything is unpacked.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LOCK="$ROOT/third_party/duckdb.lock"
DEST="$ROOT/third_party/duckdb"
value() { sed -n "s/^$1=//p" "$LOCK"; }
stamp="$(grep -v '^#' "$LOCK" | sha256sum | cut -d' ' -f1)"
if [[ -f "$DEST/STAMP" && "$(cat "$DEST/STAMP")" == "$stamp" && -f "$DEST/lib/libduckdb.so" && -f "$DEST/include/duckdb.h" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-duckdb: npm is needed (scripts/install-deps.sh installs it)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch() {  # fetch PACKAGE INTEGRITY -> prints the tarball path
  local pkg="$1" want="$2" file got
  file="$(cd "$work" && npm pack --silent "$pkg" | tail -n1)"
  got="sha512-$(openssl dgst -sha512 -binary "$work/$file" | base64 -w0)"
  if [[ "$got" != "$want" ]]; then
    echo "fetch-duckdb: $pkg has integrity $got, the lock expects $want" >&2
    exit 1
  fi
  echo "$work/$file"
}
echo "fetch-duckdb: fetching DuckDB $(value version) ($(value library_package), $(value header_package))"
lib_tgz="$(fetch "$(value library_package)" "$(value library_integrity)")"
hdr_tgz="$(fetch "$(value header_package)" "$(value header_integrity)")"
rm -rf "$DEST.new"
mkdir -p "$DEST.new/lib" "$DEST.new/include"
tar -xzf "$lib_tgz" -C "$work" package/libduckdb.so package/LICENSE
mv "$work/package/libduckdb.so" "$DEST.new/lib/"
mv "$work/package/LICENSE" "$DEST.new/LICENSE"
tar -xzf "$hdr_tgz" -C "$work" package/src/duckdb/src/include/duckdb.h
mv "$work/package/src/duckdb/src/include/duckdb.h" "$DEST.new/include/"
echo "$(value version)" > "$DEST.new/VERSION"
echo "$stamp" > "$DEST.new/STAMP"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "fetch-duckdb: DuckDB $(value version) in $DEST"
