// Fuzz target: arbitrary bytes read as JSON lines must fail with a Status or yield
// valid batches; whatever reads must survive a round trip through the JSON lines writer
// (in memory). Byte 0 picks the options: chunk size, batch/infer rows, a declared schema
// over keys a..d (string, int64, double, decimal(10,2)) instead of inference, round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "formats/jsonl/jsonl_reader.h"
#include "formats/jsonl/jsonl_writer.h"
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
