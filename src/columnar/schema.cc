#include "columnar/schema.h"

namespace gaggle {

int Schema::FindField(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) out += ", ";
    out += fields_[i].name + ": " + fields_[i].type.ToString();
    if (!fields_[i].nullable) out += " not null";
  }
  return out;
}

namespace {
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

Result<Schema> ParseSchemaText(const std::string& text) {
  Schema schema;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    // decimal(p,s) contains a comma: keep it inside the parentheses.
    size_t paren = text.find('(', start);
    if (paren != std::string::npos && comma != std::string::npos && paren < comma) {
      size_t close = text.find(')', paren);
      comma = close == std::string::npos ? std::string::npos : text.find(',', close);
    }
    std::string item = Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) {
      size_t colon = item.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument("schema item '" + item + "' is not name:type");
      }
      Field f;
      f.name = Trim(item.substr(0, colon));
      std::string type_text = Trim(item.substr(colon + 1));
      const std::string kNotNull = "not null";
      if (type_text.size() > kNotNull.size() &&
          type_text.compare(type_text.size() - kNotNull.size(), kNotNull.size(), kNotNull) == 0) {
        f.nullable = false;
        type_text = Trim(type_text.substr(0, type_text.size() - kNotNull.size()));
      }
      auto type = ParseDataType(type_text);
      if (!type) return Status::InvalidArgument("unknown type '" + type_text + "' for field '" + f.name + "'");
      if (f.name.empty()) return Status::InvalidArgument("schema item '" + item + "' has an empty name");
      if (schema.FindField(f.name) >= 0) return Status::InvalidArgument("duplicate field '" + f.name + "' in schema");
      f.type = *type;
      schema.AddField(std::move(f));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (schema.num_fields() == 0) return Status::InvalidArgument("empty schema");
  return schema;
}

}  // namespace gaggle
