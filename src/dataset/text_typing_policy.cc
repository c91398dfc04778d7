#include "dataset/text_typing_policy.h"

#include "dataset/format_table.h"

namespace gaggle {

void TypeTextAs(Format format, const Schema* declared, ReadOptions* options) {
  if (declared != nullptr && IsTextFormat(format)) {
    options->schema = *declared;
  } else {
    options->schema.reset();
  }
}

void TypeTextAs(Format format, const std::optional<Schema>& declared, ReadOptions* options) {
  TypeTextAs(format, declared ? &*declared : nullptr, options);
}

Result<std::unique_ptr<BatchReader>> OpenReaderExpecting(const std::string& path, Format format, ReadOptions options,
                                                         const Schema* expected, FileSystem* fs) {
  TypeTextAs(format, expected, &options);
  auto reader = OpenReader(path, format, options, fs);
  if (!reader.ok() && options.schema && reader.status().code() == StatusCode::kSchemaMismatch) {
    options.schema.reset();
    reader = OpenReader(path, format, options, fs);
  }
  return reader;
}

}  // namespace gaggle
