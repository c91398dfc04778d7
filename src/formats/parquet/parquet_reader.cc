// PLACEHOLDER until the Parquet reader lands (replaced in this session).
#include "formats/parquet/parquet_reader.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenParquetReader(FileSystem*, const std::string& path, const ReadOptions&) {
  return Status::Unsupported("Parquet reader not built yet: " + path);
}

}  // namespace gaggle

namespace gaggle {

Result<FileSummary> InspectParquet(FileSystem*, const std::string& path) {
  return Status::Unsupported("Parquet inspect not built yet: " + path);
}

}  // namespace gaggle
