#!/usr/bin/env bash
# The corpus test: gaggle against ~300 real files nobody here wrote (Apache parquet-testing,
# avro and arrow-testing), with the expected outcome of each in tests/corpus/expected.tsv.
#
#   tests/corpus/run_corpus.sh GAGGLE [CORPUS_DIR]
#
# CORPUS_DIR defaults to $GAGGLE_CORPUS_DIR, else ../shared/corpus from the repository root, else
# /work/shared/corpus (where the team's machines keep it, for clones made elsewhere, such as CI's);
# when none exists the test says so and passes (the corpus is not part of the repository).
#
# For every file (each command under a timeout, two at a time):
#   - `gaggle convert` reads it: Parquet into Parquet, Avro into JSON lines;
#   - `gaggle inspect --json` summarises it and must print valid JSON (or refuse cleanly);
# then the outcome must be the table's:
#   reads             exit 0, and every value equals what DuckDB (Parquet, compare_parquet.mjs)
#                     or python3-avro (Avro, compare_avro.py) reads from the same file;
#   refused:KEYWORD   exit 1 or 2, with a message that names the file and contains KEYWORD
#                     (case-insensitive) and is not an internal error.
# A crash (signal), a hang (timeout) or an abort is always a failure, as is a file missing from
# the table or a table row without its file. The summary line counts each outcome.
set -uo pipefail

GAGGLE="$(realpath "${1:?usage: run_corpus.sh GAGGLE [CORPUS_DIR]}")"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="${2:-${GAGGLE_CORPUS_DIR:-$ROOT/../shared/corpus}}"
if [[ -z "${2:-}" && -z "${GAGGLE_CORPUS_DIR:-}" && ! -d "$CORPUS" && -d /work/shared/corpus ]]; then
  CORPUS=/work/shared/corpus
fi
TABLE="$ROOT/tests/corpus/expected.tsv"
TIMEOUT="${CORPUS_TIMEOUT:-30}"
JOBS="${CORPUS_JOBS:-2}"

if [[ ! -d "$CORPUS" ]]; then
  echo "corpus: $CORPUS not found; skipped (set GAGGLE_CORPUS_DIR to run it)"
  exit 0
fi
CORPUS="$(cd "$CORPUS" && pwd)"
WORK="$(mktemp -d /tmp/gaggle-corpus-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

fail=0
problem() {
  echo "FAIL $*"
  fail=1
}

# 1. The table and the folder list the same files.
grep -v '^#' "$TABLE" | awk -F'\t' 'NF > 0 { print $1 }' | sort > "$WORK/listed"
(cd "$CORPUS" && find . -type f ! -name SOURCES | sed 's|^\./||' | sort) > "$WORK/present"
while read -r f; do problem "$f: in the corpus but not in tests/corpus/expected.tsv"; done \
  < <(comm -13 "$WORK/listed" "$WORK/present")
while read -r f; do problem "$f: in tests/corpus/expected.tsv but not in the corpus"; done \
  < <(comm -23 "$WORK/listed" "$WORK/present")

# 2. Run gaggle on every listed file, two at a time. Each job writes WORK/r/N.{rc,err,irc,json}.
mkdir -p "$WORK/r" "$WORK/out"
# Empty fields become "-": bash's read would merge consecutive tabs.
grep -v '^#' "$TABLE" | awk -F'\t' -v OFS='\t' 'NF > 0 { for (i = 1; i <= 4; ++i) if ($i == "") $i = "-"; print }' |
  nl -ba -w1 -s$'\t' > "$WORK/jobs"
export GAGGLE CORPUS WORK TIMEOUT
run_one() {
  local n="$1" file="$2" fmt="parquet" out
  [[ "$file" == *.avro* || "$file" == avro/* ]] && fmt="avro"
  out="$WORK/out/$n.$([[ $fmt == avro ]] && echo jsonl || echo parquet)"
  timeout -k 5 "$TIMEOUT" "$GAGGLE" convert "$CORPUS/$file" "$out" --from "$fmt" -q \
    > /dev/null 2> "$WORK/r/$n.err"
  echo $? > "$WORK/r/$n.rc"
  timeout -k 5 "$TIMEOUT" "$GAGGLE" inspect --json --from "$fmt" "$CORPUS/$file" \
    > "$WORK/r/$n.json" 2> "$WORK/r/$n.ierr"
  echo $? > "$WORK/r/$n.irc"
}
export -f run_one
cut -f1,2 "$WORK/jobs" | tr '\t' '\n' | xargs -d '\n' -n 2 -P "$JOBS" bash -c 'run_one "$0" "$1"'

# 3. Check each outcome; collect the pairs whose values the oracles compare.
: > "$WORK/parquet_pairs"
: > "$WORK/avro_pairs"
: > "$WORK/inspect_files"
declare -A counts=()
while IFS=$'\t' read -r n file outcome note oracle; do
  rc=$(cat "$WORK/r/$n.rc")
  irc=$(cat "$WORK/r/$n.irc")
  err=$(head -c 2000 "$WORK/r/$n.err")
  for code in "$rc" "$irc"; do
    if ((code == 124 || code == 137)); then problem "$file: timed out after ${TIMEOUT}s (a hang)"; fi
    if ((code > 128 && code != 137)); then problem "$file: killed by signal $((code - 128)) (a crash)"; fi
  done
  if ((irc == 0)); then echo "$WORK/r/$n.json" >> "$WORK/inspect_files"; fi
  case "$outcome" in
    reads)
      counts[reads]=$((${counts[reads]:-0} + 1))
      if ((rc != 0)); then problem "$file: expected to read, got exit $rc: $err"; continue; fi
      if ((irc != 0)); then problem "$file: reads but inspect failed: $(head -c 500 "$WORK/r/$n.ierr")"; fi
      if [[ "$file" == *.avro* || "$file" == avro/* ]]; then
        printf '%s\t%s\n' "$CORPUS/$file" "$WORK/out/$n.jsonl" >> "$WORK/avro_pairs"
      else
        [[ "$oracle" == - ]] && oracle=""
        [[ "$oracle" == same-as:* ]] && oracle="same-as:$CORPUS/${oracle#same-as:}"
        printf '%s\t%s\t%s\n' "$CORPUS/$file" "$WORK/out/$n.parquet" "${oracle:-}" >> "$WORK/parquet_pairs"
      fi
      ;;
    refused:*)
      keyword="${outcome#refused:}"
      counts[refused]=$((${counts[refused]:-0} + 1))
      if ((rc == 0)); then problem "$file: expected a refusal ($keyword) but it converted"; continue; fi
      if ((rc != 1 && rc != 2)); then problem "$file: refused with exit $rc (expected 1 or 2): $err"; continue; fi
      if [[ "$err" != *"$CORPUS/$file"* ]]; then problem "$file: the message does not name the file: $err"; fi
      if ! grep -qiF -- "$keyword" <<< "$err"; then problem "$file: the message does not say '$keyword': $err"; fi
      if grep -q 'Internal' <<< "$err"; then problem "$file: refused with an internal error: $err"; fi
      ;;
    *) problem "$file: unknown outcome '$outcome' in the table" ;;
  esac
done < "$WORK/jobs"

# 4. The oracles compare values, each in one process. A planted difference comes first: the
# first source paired with another file's copy must be reported, or the comparison proves nothing.
plant() {  # plant PAIRS: prepends the first plain pair's source with the last pair's copy
  if (($(wc -l < "$1") >= 2)); then
    { awk -F'\t' '$3 == "" { print $1; exit }' "$1" | paste - <(tail -1 "$1" | cut -f2); cat "$1"; } > "$1.planted"
    mv "$1.planted" "$1"
  fi
}
check_planted() {  # check_planted OUTPUT PAIRS ORACLE: the planted first pair must differ
  if (($(wc -l < "$2") >= 3)); then
    if head -1 "$1" | grep -q '^DIFF '; then sed -i 1d "$1"; else problem "$3 did not notice a planted difference: $(head -1 "$1")"; fi
  fi
}
plant "$WORK/parquet_pairs"
plant "$WORK/avro_pairs"
if [[ -s "$WORK/parquet_pairs" ]]; then
  node "$ROOT/tests/oracle/compare_parquet.mjs" "$WORK/parquet_pairs" > "$WORK/parquet_cmp" 2>&1 || true
  check_planted "$WORK/parquet_cmp" "$WORK/parquet_pairs" "compare_parquet.mjs"
  grep -v '^ok ' "$WORK/parquet_cmp" | sed 's/^/FAIL /' | grep . && fail=1
fi
if [[ -s "$WORK/avro_pairs" ]]; then
  /usr/bin/python3 "$ROOT/tests/oracle/compare_avro.py" "$WORK/avro_pairs" > "$WORK/avro_cmp" 2>&1 || true
  check_planted "$WORK/avro_cmp" "$WORK/avro_pairs" "compare_avro.py"
  grep -v '^ok ' "$WORK/avro_cmp" | sed 's/^/FAIL /' | grep . && fail=1
fi
# Every summary `inspect --json` printed parses as JSON.
if [[ -s "$WORK/inspect_files" ]]; then
  /usr/bin/python3 - "$WORK/inspect_files" <<'PY' || fail=1
import json, sys
bad = 0
for path in open(sys.argv[1]).read().split():
    try:
        json.load(open(path, encoding="utf-8"))
    except Exception as e:
        print(f"FAIL inspect --json printed invalid JSON ({path}): {e}")
        bad = 1
sys.exit(bad)
PY
fi

count_ok() { if [[ -f "$1" ]]; then awk '/^ok / && !/no oracle/ {n++} END{print n+0}' "$1"; else echo 0; fi; }
compared=$(($(count_ok "$WORK/parquet_cmp") + $(count_ok "$WORK/avro_cmp")))
echo "corpus: ${counts[reads]:-0} read (${compared} compared value by value with DuckDB or python3-avro)," \
  "${counts[refused]:-0} refused with a reason"
((fail == 0)) || { echo "corpus: FAILED"; exit 1; }
echo "corpus: ok"
