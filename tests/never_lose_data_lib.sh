# Helpers of tests/integration/never_lose_data_*.sh (issue 20): hostile set-ups, then
# proof with sha256 listings that every byte outside the migration's own outputs is
# unchanged, and that the catalog points at data that exists.
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3

# snap DIR...: one line per file or symlink under DIR (sha256 or link target), sorted.
snap() {
  find "$@" \( -type f -o -type l \) -print0 2>/dev/null | sort -z | while IFS= read -r -d '' f; do
    if [[ -L "$f" ]]; then echo "link $(readlink "$f")  $f"; else sha256sum "$f"; fi
  done
}

# same_bytes BEFORE AFTER WHAT: the two listings are identical.
same_bytes() {
  diff <(cat "$1") <(cat "$2") > /dev/null || { diff "$1" "$2" | head -20 >&2; fail "$3: bytes changed outside the migration's outputs"; }
}

# catalog_data_exists STATE: every dataset of the catalog points at something that exists.
catalog_data_exists() {
  $PY - "$1" <<'PY' || fail "the catalog points at data that does not exist"
import sqlite3, sys, os
bad = []
for i, uri in sqlite3.connect(sys.argv[1]).execute("select id, uri from entities where kind='dataset'"):
    path = uri[len("file://"):] if uri.startswith("file://") else uri
    if not os.path.exists(path):
        bad.append(f"{i} -> {uri}")
assert not bad, bad
PY
}

# catalog FILE ID=PATH...: a native catalog of jsonl datasets.
catalog() {
  local out="$1"; shift
  { echo "gaggle_catalog: 1"; echo "datasets:"
    for kv in "$@"; do
      echo "  - id: ${kv%%=*}"; echo "    uri: ${kv#*=}"; echo "    format: jsonl"
    done; } > "$out"
}

# spec FILE NAME TARGET [IDS]: a rename-only migration of jsonl datasets to parquet.
spec() {
  local ids="${4:-}"
  { echo "name: $2"; echo "version: 2"; echo "agent: {builtin: transform}"
    if [[ -n "$ids" ]]; then echo "select: {ids: [$ids]}"; else echo "select: {match: {format: jsonl}}"; fi
    echo "transform: {rename: {user_id: account_id}}"
    echo "target: {format: parquet, uri: \"$3\"}"
    echo "fleet: {concurrency: 2, timeout: 60s}"
    echo "retention: 1d"; } > "$1"
}

# data DIR [SEED]: a small jsonl partition in DIR/part-0.jsonl.
data() {
  mkdir -p "$1"
  "$G" generate "$1/part-0.jsonl" --profile events --rows 50 --seed "${2:-1}" -q
}

LATER=$($PY -c 'import datetime; print((datetime.datetime.utcnow() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
