// PLACEHOLDER until the Parquet writer lands (replaced in this session).
#include "formats/parquet/parquet_writer.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(FileSystem*, const std::string& path, std::shared_ptr<const Schema>,
                                                  const WriteOptions&) {
  return Status::Unsupported("Parquet writer not built yet: " + path);
}

}  // namespace gaggle
