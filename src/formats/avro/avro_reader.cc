// PLACEHOLDER until the Avro reader lands (replaced in this session).
#include "formats/avro/avro_reader.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenAvroReader(FileSystem*, const std::string& path, const ReadOptions&) {
  return Status::Unsupported("Avro reader not built yet: " + path);
}

}  // namespace gaggle

namespace gaggle {

Result<FileSummary> InspectAvro(FileSystem*, const std::string& path) {
  return Status::Unsupported("Avro inspect not built yet: " + path);
}

}  // namespace gaggle
