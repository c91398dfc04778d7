// libFuzzer target: any bytes as an Avro container must give rows or a Status,
// never a crash, hang or out-of-bounds access (in our code or in avro-c). Seeds in
// fuzz/corpus/avro_reader_fuzz; legacy_*: the zstandard, bzip2 and xz codecs over decimal(38),
// decimal(76) and local timestamps (AvroLegacy.DISABLED_WriteLegacyAvroFuzzSeeds), and
// legacy_writer_zstandard.avro written by gaggle.
#include <cstddef>
#include <cstdint>
#include <string>

#include "formats/avro/avro_memory_fs.h"
#include "formats/avro/avro_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gaggle::avro_test::MemoryFileSystem fs;
  fs.Put("fuzz.avro", std::string(reinterpret_cast<const char*>(data), size));
  (void)gaggle::InspectAvro(&fs, "fuzz.avro");
  gaggle::ReadOptions options;
  options.batch_rows = 97;
  auto reader = gaggle::OpenAvroReader(&fs, "fuzz.avro", options);
  if (!reader.ok()) return 0;
  gaggle::RecordBatch batch;
  while (true) {
    auto more = (*reader)->Next(&batch);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
