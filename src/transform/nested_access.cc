#include "transform/nested_access.h"

#include <cstring>
#include <vector>

#include "common/suggest.h"
#include "transform/cast.h"

namespace gaggle {
namespace {

const uint8_t* FixedBytes(const Column& c) {
  switch (c.type().byte_width()) {
    case 1: return c.data<uint8_t>();
    case 4: return reinterpret_cast<const uint8_t*>(c.data<int32_t>());
    case 16: return reinterpret_cast<const uint8_t*>(c.data<Int128>());
    default: return reinterpret_cast<const uint8_t*>(c.data<int64_t>());
  }
}

}  // namespace

Status BindFieldAccess(const DataType& base, const std::string& name, int* field, DataType* type) {
  if (base.id != TypeId::kStruct) {
    std::string hint = base.id == TypeId::kList  ? " (take an element first: x[0]." + name + ")"
                       : base.id == TypeId::kMap ? " (look a key up: x['" + name + "'])"
                                                 : "";
    return Status::InvalidArgument("'." + name + "' needs a struct, not " + base.ToString() + hint);
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < base.num_children(); ++i) {
    if (base.child(i).name == name) {
      *field = static_cast<int>(i);
      *type = base.child(i).type;
      return Status::OK();
    }
    names.push_back(base.child(i).name);
  }
  return Status::SchemaMismatch(base.ToString() + " has no field '" + name + "'" + DidYouMean(name, names));
}

Status BindSubscript(const DataType& base, const LiteralValue& key, int64_t* index,
                     std::shared_ptr<const Column>* map_key, DataType* type) {
  if (base.id == TypeId::kList) {
    if (key.kind != LiteralValue::Kind::kInt || key.i < 0) {
      return Status::TypeError("a list element is taken by an integer index from 0 (items[0]), not by a string");
    }
    *index = key.i;
    *type = base.list_element().type;
    return Status::OK();
  }
  if (base.id != TypeId::kMap) {
    return Status::InvalidArgument("[ ] needs a list or a map, not " + base.ToString());
  }
  Column text(DataType::String());
  if (key.kind == LiteralValue::Kind::kString) {
    text.AppendString(key.s);
  } else {
    text.AppendString(std::to_string(key.i));
  }
  const DataType& key_type = base.map_key().type;
  std::vector<RowError> errors;
  Result<Column> k = CastColumn(text, key_type, &errors);
  if (!k.ok() || !errors.empty()) {
    return Status::TypeError("the key of " + base.ToString() + " is " + key_type.ToString() + ": cannot read " +
                             (key.kind == LiteralValue::Kind::kString ? "'" + key.s + "'" : std::to_string(key.i)) +
                             " as one");
  }
  if (key.kind == LiteralValue::Kind::kInt && key_type.is_variable_width()) {
    return Status::TypeError("the key of " + base.ToString() + " is " + key_type.ToString() + ": write it quoted ['" +
                             std::to_string(key.i) + "']");
  }
  *map_key = std::make_shared<const Column>(std::move(k).value());
  *type = base.map_value().type;
  return Status::OK();
}

Column ExtractField(const Column& base, int field, size_t rows) {
  const Column& child = base.child(static_cast<size_t>(field));
  Column out(child.type());
  out.AppendRange(child, 0, rows);
  if (base.may_have_nulls()) {
    for (size_t i = 0; i < rows; ++i) {
      if (base.IsNull(i)) out.SetNull(i);
    }
  }
  return out;
}

Column ExtractListElement(const Column& base, int64_t index, size_t rows) {
  const Column& elements = base.child(0);
  Column out(elements.type());
  const uint64_t k = static_cast<uint64_t>(index);
  for (size_t i = 0; i < rows; ++i) {
    if (base.IsNull(i) || k >= base.ListLength(i)) {
      out.AppendNull();
    } else {
      out.AppendRange(elements, base.ListBegin(i) + k, 1);
    }
  }
  return out;
}

Column ExtractMapValue(const Column& base, const Column& key, size_t rows) {
  const Column& entries = base.child(0);
  const Column& keys = entries.child(0);
  const Column& values = entries.child(1);
  Column out(values.type());
  const bool text = keys.type().is_variable_width();
  const size_t width = text ? 0 : static_cast<size_t>(keys.type().byte_width());
  const std::string_view want_text = text ? key.GetString(0) : std::string_view();
  const uint8_t* want = text ? nullptr : FixedBytes(key);
  const uint8_t* have = text ? nullptr : FixedBytes(keys);
  for (size_t i = 0; i < rows; ++i) {
    bool found = false;
    if (!base.IsNull(i)) {
      for (uint64_t e = base.ListBegin(i); e < base.ListEnd(i) && !found; ++e) {
        found = text ? keys.GetString(e) == want_text : std::memcmp(have + e * width, want, width) == 0;
        if (found) out.AppendRange(values, e, 1);  // the first entry with the key
      }
    }
    if (!found) out.AppendNull();
  }
  return out;
}

}  // namespace gaggle
