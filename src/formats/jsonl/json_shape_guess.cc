#include "formats/jsonl/json_shape_guess.h"

namespace gaggle {

namespace dom = simdjson::dom;

JsonShapeGuess& JsonShapeGuess::Field(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it != index_.end()) return *fields_[it->second];
  names_.emplace_back(key);
  index_.emplace(names_.back(), fields_.size());
  fields_.push_back(std::make_unique<JsonShapeGuess>());
  return *fields_.back();
}

void JsonShapeGuess::Observe(dom::element value, int depth) {
  switch (value.type()) {
    case dom::element_type::NULL_VALUE: return;
    case dom::element_type::BOOL:
      seen_scalar_ = true;
      scalar_.ObserveBool();
      return;
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
      seen_scalar_ = true;
      scalar_.ObserveInt();
      return;
    case dom::element_type::DOUBLE:
      seen_scalar_ = true;
      scalar_.ObserveDouble();
      return;
    case dom::element_type::STRING:
      seen_scalar_ = true;
      scalar_.ObserveString(value.get_string().value_unsafe());
      return;
    case dom::element_type::OBJECT:
      seen_object_ = true;
      if (depth >= kMaxTypeDepth) {
        too_deep_ = true;
        return;
      }
      {
        dom::object object;
        if (value.get_object().get(object)) return;
        for (dom::key_value_pair kv : object) Field(kv.key).Observe(kv.value, depth + 1);
      }
      return;
    case dom::element_type::ARRAY:
      seen_array_ = true;
      if (depth >= kMaxTypeDepth) {
        too_deep_ = true;
        return;
      }
      if (!element_) element_ = std::make_unique<JsonShapeGuess>();
      {
        dom::array array;
        if (value.get_array().get(array)) return;
        for (dom::element e : array) element_->Observe(e, depth + 1);
      }
      return;
  }
}

DataType JsonShapeGuess::Guess() const {
  const int kinds = int{seen_scalar_} + int{seen_object_} + int{seen_array_};
  if (kinds != 1 || too_deep_) return DataType::String();
  if (seen_scalar_) return scalar_.Guess();
  if (seen_object_) {
    if (names_.empty()) return DataType::String();
    std::vector<gaggle::Field> fields;
    for (size_t i = 0; i < names_.size(); ++i) fields.push_back({names_[i], fields_[i]->Guess(), true});
    return DataType::Struct(std::move(fields));
  }
  return DataType::List(element_ ? element_->Guess() : DataType::String(), true);
}

}  // namespace gaggle
