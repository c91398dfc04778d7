# The Apache test corpora (../shared/corpus): every valid file reads exactly as DuckDB or
# python3-avro read it, every damaged one is refused with a clear reason; tests/corpus/
# expected.tsv says which is which. Skipped (with a message) where the corpus is absent.
source "$ROOT/tests/lib.sh"
bash "$ROOT/tests/corpus/run_corpus.sh" "$1"
