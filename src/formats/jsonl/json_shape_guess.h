// JsonShapeGuess: infers the gaggle type of one JSON lines column (or of one key or array
// element inside it) from the values of the inference sample, nested values included.
//
//   scalars      as text_typing.h's JsonTypeGuess: true/false -> bool, integers -> int64,
//                numbers with a fraction or exponent -> double, strings -> date, timestamp or
//                string; integers beyond int64 are an error of the caller's;
//   objects      -> struct: one nullable field per key seen in any of them, in order of first
//                appearance (a key missing from an object is null there);
//   arrays       -> list of the type guessed from all their elements (nullable elements);
//   otherwise    -> string: only nulls, empty arrays' elements, objects without any key, or a mix
//                of kinds (say numbers and objects), whose values are then read as their JSON
//                text. Maps are never inferred (declare map<string,T> to read objects as maps).
// Values nested deeper than kMaxTypeDepth are guessed as string (their JSON text).
// Thread-safety: a value; not shared.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/data_type.h"
#include "formats/text_typing.h"

namespace gaggle {

class JsonShapeGuess {
 public:
  JsonShapeGuess() = default;
  JsonShapeGuess(JsonShapeGuess&&) = default;
  JsonShapeGuess& operator=(JsonShapeGuess&&) = default;

  // Records one value. REQUIRES: not an integer beyond int64 (UINT64; the caller reports it).
  void Observe(simdjson::dom::element value, int depth = 0);
  DataType Guess() const;

 private:
  JsonShapeGuess& Field(std::string_view key);

  JsonTypeGuess scalar_;
  bool seen_scalar_ = false;
  bool seen_object_ = false;
  bool seen_array_ = false;
  bool too_deep_ = false;
  std::vector<std::string> names_;  // object keys, in order of first appearance
  std::vector<std::unique_ptr<JsonShapeGuess>> fields_;
  std::unordered_map<std::string, size_t> index_;
  std::unique_ptr<JsonShapeGuess> element_;  // array elements
};

}  // namespace gaggle
