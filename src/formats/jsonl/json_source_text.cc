#include "formats/jsonl/json_source_text.h"

namespace gaggle {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Deeper nesting is refused by the DOM parser anyway (its default maximum depth).
constexpr int kMaxDepth = 1024;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

error_code Walk(od::value value, int depth);

error_code WalkObject(od::object object, int depth) {
  for (auto member : object) {
    od::field field;
    if (error_code e = std::move(member).get(field)) return e;
    std::string_view key;
    if (error_code e = field.unescaped_key().get(key)) return e;
    if (error_code e = Walk(field.value(), depth + 1)) return e;
  }
  return simdjson::SUCCESS;
}

error_code Walk(od::value value, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (error_code e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (error_code e = value.get_object().get(object)) return e;
      return WalkObject(object, depth);
    }
    case od::json_type::array: {
      od::array array;
      if (error_code e = value.get_array().get(array)) return e;
      for (auto element : array) {
        od::value v;
        if (error_code e = std::move(element).get(v)) return e;
        if (error_code e = Walk(v, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      double d;
      return value.get_double().get(d);
    }
    case od::json_type::string: {
      std::string_view s;
      return value.get_string().get(s);
    }
    case od::json_type::boolean: {
      bool b;
      return value.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (error_code e = value.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// The raw text of a value (objects and arrays in full), without trailing whitespace.
std::optional<std::string_view> RawText(od::value value) {
  od::json_type type;
  if (value.type().get(type)) return std::nullopt;
  std::string_view text;
  if (type == od::json_type::object) {
    od::object o;
    if (value.get_object().get(o) || o.raw_json().get(text)) return std::nullopt;
  } else if (type == od::json_type::array) {
    od::array a;
    if (value.get_array().get(a) || a.raw_json().get(text)) return std::nullopt;
  } else {
    text = value.raw_json_token();
  }
  return TrimRight(text);
}

simdjson::padded_string_view Padded(std::string_view line) {
  return simdjson::padded_string_view(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING);
}

}  // namespace

std::optional<std::string_view> JsonSourceText::MemberText(std::string_view line, size_t index) {
  od::document doc;
  if (parser_.iterate(Padded(line)).get(doc)) return std::nullopt;
  od::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  size_t i = 0;
  for (auto member : object) {
    od::field field;
    if (std::move(member).get(field)) return std::nullopt;
    if (i++ != index) continue;  // the iterator skips the unread value
    return RawText(field.value());
  }
  return std::nullopt;
}

namespace {

// The value at `path[depth..]` below `value` (an object member or array element per index).
std::optional<std::string_view> Descend(od::value value, const std::vector<size_t>& path, size_t depth) {
  if (depth == path.size()) return RawText(value);
  od::json_type type;
  if (value.type().get(type)) return std::nullopt;
  size_t i = 0;
  if (type == od::json_type::object) {
    od::object object;
    if (value.get_object().get(object)) return std::nullopt;
    for (auto member : object) {
      od::field field;
      if (std::move(member).get(field)) return std::nullopt;
      if (i++ == path[depth]) return Descend(field.value(), path, depth + 1);
    }
  } else if (type == od::json_type::array) {
    od::array array;
    if (value.get_array().get(array)) return std::nullopt;
    for (auto element : array) {
      od::value v;
      if (std::move(element).get(v)) return std::nullopt;
      if (i++ == path[depth]) return Descend(v, path, depth + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> JsonSourceText::ValueText(std::string_view line, const std::vector<size_t>& path) {
  if (path.empty()) return std::nullopt;
  od::document doc;
  if (parser_.iterate(Padded(line)).get(doc)) return std::nullopt;
  od::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  size_t i = 0;
  for (auto member : object) {
    od::field field;
    if (std::move(member).get(field)) return std::nullopt;
    if (i++ == path[0]) return Descend(field.value(), path, 1);
  }
  return std::nullopt;
}

std::optional<size_t> JsonSourceText::ErrorOffset(std::string_view line) {
  od::document doc;
  if (parser_.iterate(Padded(line)).get(doc)) return std::nullopt;
  od::json_type type;
  error_code error = doc.type().get(type);
  if (!error && type == od::json_type::object) {
    od::object object;
    error = doc.get_object().get(object);
    if (!error) error = WalkObject(object, 1);
  }
  // After an error, or after a clean walk that stopped before trailing content, the
  // iterator's position is where the line goes wrong.
  const char* at = nullptr;
  if (doc.current_location().get(at) || at == nullptr) return std::nullopt;
  if (at < line.data() || at > line.data() + line.size()) return std::nullopt;
  return static_cast<size_t>(at - line.data());
}

}  // namespace gaggle
