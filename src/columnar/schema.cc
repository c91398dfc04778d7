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

// Splits at commas that are outside parentheses, angle brackets and double quotes.
std::vector<std::string> SplitTopLevel(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (quoted) {
      quoted = c != '"';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(' || c == '<') {
      ++depth;
    } else if ((c == ')' || c == '>') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      items.push_back(std::move(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  items.push_back(std::move(current));
  return items;
}

}  // namespace

Result<Schema> ParseSchemaText(const std::string& text) {
  Schema schema;
  for (const std::string& raw : SplitTopLevel(text)) {
    std::string item = Trim(raw);
    if (item.empty()) continue;
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
  if (schema.num_fields() == 0) return Status::InvalidArgument("empty schema");
  return schema;
}

}  // namespace gaggle
