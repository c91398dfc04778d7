// PLACEHOLDER until the Avro writer lands (replaced in this session).
#include "formats/avro/avro_writer.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenAvroWriter(FileSystem*, const std::string& path, std::shared_ptr<const Schema>,
                                                  const WriteOptions&) {
  return Status::Unsupported("Avro writer not built yet: " + path);
}

}  // namespace gaggle
