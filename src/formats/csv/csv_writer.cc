// PLACEHOLDER until the CSV writer lands (replaced in this session).
#include "formats/csv/csv_writer.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(FileSystem*, const std::string& path, std::shared_ptr<const Schema>,
                                                  const WriteOptions&) {
  return Status::Unsupported("CSV writer not built yet: " + path);
}

}  // namespace gaggle
