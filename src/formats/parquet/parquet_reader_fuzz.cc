// Fuzz target: arbitrary bytes as a whole Parquet file -> OpenParquetReader -> every batch.
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxRows = 1 << 16;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  gaggle::ReadOptions options;
  options.batch_rows = 256;
  auto reader =
      gaggle::OpenParquetReader(std::make_unique<gaggle::parquet::ParquetBytesFile>(bytes, "fuzz.parquet"), options);
  if (!reader.ok()) return 0;
  gaggle::RecordBatch batch;
  size_t rows = 0;
  while (rows < kMaxRows) {
    auto more = (*reader)->Next(&batch);
    if (!more.ok() || !*more) break;
    if (!batch.Validate().ok() || batch.num_rows() > options.batch_rows) std::abort();
    rows += batch.num_rows();
  }
  return 0;
}
