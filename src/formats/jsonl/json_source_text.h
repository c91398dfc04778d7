// JSON source text recovery: the exact bytes of a value as written in the line, and the
// position of the first syntax error. The JSON lines reader parses with simdjson's DOM
// API, which keeps values but not where they came from; these helpers re-walk one line
// with simdjson's On Demand API only when the text itself is needed (a nested value kept
// as text, a number read into a decimal or string column) or when reporting an error.
//
// REQUIRES: `line` is followed in memory by at least simdjson::SIMDJSON_PADDING readable
// bytes (the TextInput window guarantees this).
// Thread-safety: a JsonSourceText instance is used by one thread.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace gaggle {

class JsonSourceText {
 public:
  // The source text (without surrounding whitespace) of the value of the `index`-th
  // member of the top-level object in `line`, or nullopt if the line cannot be walked.
  std::optional<std::string_view> MemberText(std::string_view line, size_t index);

  // The source text of a value nested inside the line's object: path[0] is the index of the
  // top-level member; each next index picks a member of an object or an element of an array.
  std::optional<std::string_view> ValueText(std::string_view line, const std::vector<size_t>& path);

  // Byte offset within `line` of the first error found by walking every value, or
  // nullopt when the walk finds none (some errors are only found by the DOM parser).
  std::optional<size_t> ErrorOffset(std::string_view line);

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace gaggle
