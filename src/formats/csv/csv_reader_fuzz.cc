// Fuzz target: arbitrary bytes read as CSV must fail with a Status or yield valid
// batches; whatever reads must survive a round trip through the CSV writer.
// Byte 0 picks the options (chunk size, header, delimiter, batch/infer rows, round trip).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_writer.h"

namespace {

using gaggle::RecordBatch;

// Drains a reader into rendered rows; false on a read error.
bool Drain(gaggle::BatchReader* reader, std::vector<std::string>* rows) {
  RecordBatch batch;
  while (true) {
    auto more = reader->Next(&batch);
    if (!more.ok()) return false;
    if (!*more) return true;
    if (!batch.Validate().ok()) std::abort();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::string row;
      for (const auto& c : batch.columns) row += c.ValueToString(r) + "\x1f";
      rows->push_back(row);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  gaggle::ReadOptions options;
  options.csv.header = (knobs & 1) == 0;
  options.csv.delimiter = (knobs & 2) ? ';' : ',';
  options.batch_rows = 1 + (knobs >> 2 & 3);
  options.infer_rows = 1 + (knobs >> 4 & 3);
  const size_t chunk = (knobs & 64) ? 1 + size % 7 : 4096;
  auto input = std::make_unique<gaggle::TextInput>(
      std::make_unique<gaggle::StringSequentialFile>("fuzz.csv", bytes), chunk, 1 << 16);
  auto reader = gaggle::OpenCsvReader(std::move(input), options);
  if (!reader.ok()) return 0;
  std::vector<std::string> rows;
  if (!Drain(reader->get(), &rows) || (knobs & 128) == 0) return 0;

  // Round trip: write what was read, read it back with the schema it had.
  auto schema = (*reader)->schema();
  std::string path = "/tmp/gaggle_csv_fuzz_" + std::to_string(::getpid()) + ".csv";
  gaggle::WriteOptions write;
  write.csv = options.csv;
  auto again = gaggle::OpenCsvReader(std::make_unique<gaggle::TextInput>(
                                         std::make_unique<gaggle::StringSequentialFile>("fuzz.csv", bytes), 4096),
                                     options);
  auto writer = gaggle::OpenCsvWriter(gaggle::FileSystem::Default(), path, schema, write);
  if (!again.ok() || !writer.ok()) std::abort();
  RecordBatch batch;
  while (true) {
    auto more = (*again)->Next(&batch);
    if (!more.ok()) std::abort();
    if (!*more) break;
    if (!(*writer)->Write(batch).ok()) std::abort();
  }
  if (!(*writer)->Finish().ok()) std::abort();
  gaggle::ReadOptions declared = options;
  declared.schema = *schema;
  auto back = gaggle::OpenCsvReader(gaggle::FileSystem::Default(), path, declared);
  if (!back.ok()) std::abort();
  std::vector<std::string> rows_back;
  if (!Drain(back->get(), &rows_back) || rows_back != rows) std::abort();
  return 0;
}
