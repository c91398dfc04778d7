// PLACEHOLDER until the JSON lines writer lands (replaced in this session).
#include "formats/jsonl/jsonl_writer.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(FileSystem*, const std::string& path, std::shared_ptr<const Schema>,
                                                  const WriteOptions&) {
  return Status::Unsupported("JSON lines writer not built yet: " + path);
}

}  // namespace gaggle
