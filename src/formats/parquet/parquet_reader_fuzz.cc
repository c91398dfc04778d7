// Fuzz target: arbitrary bytes as a whole Parquet file -> OpenParquetReader -> every batch,
// then again projected to the last top-level field (ReadOptions::columns).
// Must fail cleanly or read; a batch that breaks RecordBatch's invariants is a bug. Reading stops
// after kMaxRows rows: a valid file can describe billions of rows (RLE runs, empty pages) in a
// few bytes, which is slow, not wrong. Seeds: fuzz/corpus/parquet_reader_fuzz (tiny DuckDB files,
// made by tests/oracle/make_parquet_fuzz_corpus.mjs; legacy_*: INT96, FLOAT16, wide decimals, LZ4,
// LZ4_RAW, BROTLI and CRC pages, hand-made by ParquetLegacy.DISABLED_WriteLegacyFuzzSeeds, and
// legacy_writer_*: decimal(38) and naive timestamps written by gaggle with brotli and lz4_raw).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "formats/parquet/parquet_bytes_file.h"
#include "formats/parquet/parquet_reader.h"

namespace {

constexpr size_t kMaxRows = 1 << 16;

// Reads every batch (up to kMaxRows rows); aborts on a batch that breaks the invariants or
// has other than `columns` columns.
void ReadAll(gaggle::BatchReader* reader, size_t batch_rows, size_t columns) {
  gaggle::RecordBatch batch;
  size_t rows = 0;
  while (rows < kMaxRows) {
    auto more = reader->Next(&batch);
    if (!more.ok() || !*more) break;
    if (!batch.Validate().ok() || batch.num_rows() > batch_rows || batch.num_columns() != columns) std::abort();
    rows += batch.num_rows();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  gaggle::ReadOptions options;
  options.batch_rows = 256;
  auto reader =
      gaggle::OpenParquetReader(std::make_unique<gaggle::parquet::ParquetBytesFile>(bytes, "fuzz.parquet"), options);
  if (!reader.ok()) return 0;
  const std::shared_ptr<const gaggle::Schema> schema = (*reader)->schema();
  ReadAll(reader->get(), options.batch_rows, schema->num_fields());
  // A projection (ReadOptions::columns) of the last field alone: only its chunks are decoded.
  if (schema->num_fields() < 2) return 0;
  options.columns = {schema->field(schema->num_fields() - 1).name};
  auto projected =
      gaggle::OpenParquetReader(std::make_unique<gaggle::parquet::ParquetBytesFile>(bytes, "fuzz.parquet"), options);
  if (!projected.ok()) return 0;  // e.g. two fields whose names differ only in case
  if ((*projected)->schema()->num_fields() != 1) std::abort();
  ReadAll(projected->get(), options.batch_rows, 1);
  return 0;
}
