// PLACEHOLDER until the CSV reader lands (replaced in this session).
#include "formats/csv/csv_reader.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenCsvReader(FileSystem*, const std::string& path, const ReadOptions&) {
  return Status::Unsupported("CSV reader not built yet: " + path);
}

}  // namespace gaggle
