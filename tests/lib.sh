# Helpers sourced by integration tests. $GAGGLE is the binary, $ROOT the repo.
set -euo pipefail

# duck "SQL": prints DuckDB's result rows as JSON lines.
duck() { node "$ROOT/tests/oracle/query.mjs" "$1"; }

# duck_value "SQL": prints the single value of a one-row, one-column result.
duck_value() { duck "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s.split("\n")[0]);console.log(Object.values(r)[0])})'; }

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_eq() {  # expect_eq ACTUAL EXPECTED WHAT
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
}
