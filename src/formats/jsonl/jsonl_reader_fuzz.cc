// Fuzz target: arbitrary bytes read as JSON lines must fail with a Status or yield
// valid batches; whatever reads must survive a round trip through the JSON lines writer
// (in memory). Byte 0 picks the options: chunk size, batch/infer rows, a declared schema
// over keys a..d (string, int64, double, decimal(10,2)) instead of inference, round trip,
// and a differential read by the parallel reader (parallel_jsonl_reader.h) cutting the
// input into blocks of 1-61 bytes on 2 threads: the same rows, or the same error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "formats/avro/avro_memory_fs.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/jsonl/jsonl_writer.h"
#include "formats/jsonl/parallel_jsonl_reader.h"
#include "formats/memory_files.h"

namespace {

using namespace gaggle;

bool Drain(BatchReader* reader, std::vector<std::string>* rows, BatchWriter* writer) {
  RecordBatch batch;
  while (true) {
    auto more = reader->Next(&batch);
    if (!more.ok()) return false;
    if (!*more) return true;
    if (!batch.Validate().ok()) std::abort();
    if (writer && !writer->Write(batch).ok()) std::abort();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::string row;
      for (const auto& c : batch.columns) row += c.ValueToString(r) + "\x1f";
      rows->push_back(row);
    }
  }
}

std::unique_ptr<TextInput> Input(std::string bytes, size_t chunk) {
  return std::make_unique<TextInput>(std::make_unique<StringSequentialFile>("fuzz.jsonl", std::move(bytes)), chunk,
                                     1 << 16);
}

// Rows (or the error) of `reader`, batches flattened: the grouping may differ.
std::pair<Status, std::vector<std::string>> ReadAll(Result<std::unique_ptr<BatchReader>> reader) {
  std::vector<std::string> rows;
  if (!reader.ok()) return {reader.status(), rows};
  RecordBatch batch;
  while (true) {
    auto more = (*reader)->Next(&batch);
    if (!more.ok()) return {more.status(), rows};
    if (!*more) return {Status::OK(), rows};
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::string row;
      for (const auto& c : batch.columns) row += c.ValueToString(r) + "\x1f";
      rows.push_back(row);
    }
  }
}

// The parallel reader, blocks of 1-61 bytes on two threads, against the single reader.
void CompareWithParallel(const std::string& bytes, ReadOptions options, size_t block_bytes) {
  options.threads = 1;
  auto single = ReadAll(OpenJsonlReader(
      std::make_unique<TextInput>(std::make_unique<StringSequentialFile>("fuzz.jsonl", bytes)), options));
  avro_test::MemoryFileSystem fs;
  fs.Put("fuzz.jsonl", bytes);
  options.threads = 2;
  auto parallel = ReadAll(OpenParallelJsonlReader(&fs, "fuzz.jsonl", options, block_bytes));
  if (single.first.ok() != parallel.first.ok()) std::abort();
  if (!single.first.ok()) {
    if (single.first.ToString() != parallel.first.ToString()) std::abort();
    return;  // rows before an error may be grouped differently
  }
  if (single.second != parallel.second) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  ReadOptions options;
  options.batch_rows = 1 + (knobs & 3);
  options.infer_rows = 1 + (knobs >> 2 & 3);
  if (knobs & 16) {
    options.schema = Schema({{"a", DataType::String()},
                             {"b", DataType::Int64()},
                             {"c", DataType::Double()},
                             {"d", DataType::Decimal(10, 2)}});
  }
  const size_t chunk = (knobs & 64) ? 1 + size % 7 : 4096;
  if (knobs & 32)
    CompareWithParallel(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), options, 1 + size % 61);
  auto reader = OpenJsonlReader(Input(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), chunk), options);
  if (!reader.ok()) return 0;
  std::string written;
  std::unique_ptr<BatchWriter> writer;
  if (knobs & 128) {
    auto opened = OpenJsonlWriter(std::make_unique<StringWritableFile>("out.jsonl", &written), (*reader)->schema(),
                                  WriteOptions{});
    if (!opened.ok()) std::abort();
    writer = std::move(*opened);
  }
  std::vector<std::string> rows;
  if (!Drain(reader->get(), &rows, writer.get()) || !writer) return 0;
  if (!writer->Finish().ok()) std::abort();

  // What the writer wrote reads back, with the schema it was written with, to the same rows.
  ReadOptions declared = options;
  declared.schema = *(*reader)->schema();
  auto back = OpenJsonlReader(Input(written, 4096), declared);
  if (!back.ok()) std::abort();
  std::vector<std::string> rows_back;
  if (!Drain(back->get(), &rows_back, nullptr) || rows_back != rows) std::abort();
  return 0;
}
