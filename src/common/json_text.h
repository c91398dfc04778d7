// JsonText: a JSON document as text, never throwing. Event details, logs and --json output
// can quote a data file's bytes (errors, values), which need not be valid UTF-8:
// nlohmann::json::dump() throws on those; this replaces them with U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gaggle {

// `indent` as dump(): -1 compact, N spaces per level otherwise.
std::string JsonText(const nlohmann::json& j, int indent = 2);

}  // namespace gaggle
