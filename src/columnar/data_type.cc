#include "columnar/data_type.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gaggle {

DataType DataType::Struct(std::vector<Field> fields) {
  DataType t{TypeId::kStruct};
  t.children = std::make_shared<const std::vector<Field>>(std::move(fields));
  return t;
}

DataType DataType::List(DataType element, bool element_nullable) {
  DataType t{TypeId::kList};
  t.children = std::make_shared<const std::vector<Field>>(
      std::vector<Field>{Field{"element", std::move(element), element_nullable}});
  return t;
}

DataType DataType::Map(DataType key, DataType value, bool value_nullable) {
  DataType entries = Struct({Field{"key", std::move(key), false}, Field{"value", std::move(value), value_nullable}});
  DataType t{TypeId::kMap};
  t.children = std::make_shared<const std::vector<Field>>(std::vector<Field>{Field{"entries", entries, false}});
  return t;
}

int DataType::byte_width() const {
  switch (id) {
    case TypeId::kBool: return 1;
    case TypeId::kInt32:
    case TypeId::kDate:
    case TypeId::kFloat: return 4;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kDouble: return 8;
    case TypeId::kDecimal: return precision > kMaxDecimal64Precision ? 16 : 8;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return 0;
  }
  return 0;
}

int DataType::depth() const {
  int d = 0;
  for (size_t i = 0; i < num_children(); ++i) d = std::max(d, child(i).type.depth());
  return is_nested() ? d + 1 : 0;
}

std::string QuoteFieldName(std::string_view name) {
  bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string DataType::ToString() const {
  auto with_null = [](const Field& f) { return f.type.ToString() + (f.nullable ? "" : " not null"); };
  switch (id) {
    case TypeId::kBool: return "bool";
    case TypeId::kInt32: return "int32";
    case TypeId::kInt64: return "int64";
    case TypeId::kFloat: return "float";
    case TypeId::kDouble: return "double";
    case TypeId::kString: return "string";
    case TypeId::kBinary: return "binary";
    case TypeId::kDate: return "date";
    case TypeId::kTimestamp: return utc ? "timestamp" : "timestamp_ntz";
    case TypeId::kDecimal: return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < num_children(); ++i) {
        if (i) out += ",";
        out += QuoteFieldName(child(i).name) + ":" + with_null(child(i));
      }
      return out + ">";
    }
    case TypeId::kList: return "list<" + with_null(list_element()) + ">";
    case TypeId::kMap: return "map<" + map_key().type.ToString() + "," + with_null(map_value()) + ">";
  }
  return "unknown";
}

namespace {

// Recursive descent over a type spelling. Keywords are case-insensitive and whitespace
// between tokens is ignored; field names keep their case.
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : s_(text) {}

  std::optional<DataType> ParseAll() {
    std::optional<DataType> t = Type(0);
    SkipSpace();
    if (!t || pos_ != s_.size()) return std::nullopt;
    return t;
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  // A run of letters, digits and underscores, lowercased.
  std::string Word() {
    SkipSpace();
    std::string w;
    while (pos_ < s_.size() && IsWordChar(s_[pos_])) {
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_]))));
      ++pos_;
    }
    return w;
  }
  // "not null" after a child type (or nothing). Returns false on "not" without "null".
  bool NotNull(bool* nullable) {
    size_t save = pos_;
    if (Word() != "not") {
      pos_ = save;
      *nullable = true;
      return true;
    }
    *nullable = false;
    return Word() == "null";
  }
  bool FieldName(std::string* name) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      while (pos_ < s_.size()) {
        char c = s_[pos_++];
        if (c != '"') {
          name->push_back(c);
        } else if (pos_ < s_.size() && s_[pos_] == '"') {
          name->push_back('"');
          ++pos_;
        } else {
          return true;
        }
      }
      return false;  // unterminated
    }
    while (pos_ < s_.size() && IsWordChar(s_[pos_])) name->push_back(s_[pos_++]);
    return !name->empty();
  }
  std::optional<DataType> Child(int depth, bool* nullable) {
    std::optional<DataType> t = Type(depth + 1);
    if (!t || !NotNull(nullable)) return std::nullopt;
    return t;
  }
  std::optional<DataType> Decimal() {
    int p = 0, s = 0;
    if (!Number(&p) || !Consume(',') || !Number(&s) || !Consume(')')) return std::nullopt;
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p) return std::nullopt;
    return DataType::Decimal(p, s);
  }
  bool Number(int* out) {
    SkipSpace();
    auto r = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), *out);
    if (r.ec != std::errc() || r.ptr == s_.data() + pos_) return false;
    pos_ = static_cast<size_t>(r.ptr - s_.data());
    return true;
  }
  std::optional<DataType> Struct(int depth) {
    std::vector<Field> fields;
    if (Consume('>')) return DataType::Struct(std::move(fields));
    do {
      Field f;
      if (!FieldName(&f.name) || !Consume(':')) return std::nullopt;
      for (const Field& g : fields) {
        if (g.name == f.name) return std::nullopt;  // duplicate field name
      }
      std::optional<DataType> t = Child(depth, &f.nullable);
      if (!t) return std::nullopt;
      f.type = std::move(*t);
      fields.push_back(std::move(f));
    } while (Consume(','));
    if (!Consume('>')) return std::nullopt;
    return DataType::Struct(std::move(fields));
  }
  std::optional<DataType> Type(int depth) {
    if (depth > kMaxTypeDepth) return std::nullopt;
    std::string w = Word();
    if (w == "bool" || w == "boolean") return DataType::Bool();
    if (w == "int32" || w == "int" || w == "integer") return DataType::Int32();
    if (w == "int64" || w == "long" || w == "bigint") return DataType::Int64();
    if (w == "float" || w == "float32" || w == "real") return DataType::Float();
    if (w == "double" || w == "float64") return DataType::Double();
    if (w == "string" || w == "str" || w == "utf8" || w == "varchar" || w == "text") return DataType::String();
    if (w == "binary" || w == "bytes" || w == "blob") return DataType::Binary();
    if (w == "date") return DataType::Date();
    if (w == "timestamp" || w == "datetime" || w == "timestamp_us" || w == "timestamptz" || w == "timestamp_utc") {
      return DataType::Timestamp();
    }
    if (w == "timestamp_ntz" || w == "local_timestamp") return DataType::LocalTimestamp();
    if (w == "decimal" && Consume('(')) return Decimal();
    if (w == "struct" && Consume('<')) return Struct(depth);
    if (w == "list" && Consume('<')) {
      bool nullable = true;
      std::optional<DataType> e = Child(depth, &nullable);
      if (!e || !Consume('>')) return std::nullopt;
      return DataType::List(std::move(*e), nullable);
    }
    if (w == "map" && Consume('<')) {
      std::optional<DataType> k = Type(depth + 1);
      bool nullable = true;
      if (!k || !Consume(',')) return std::nullopt;
      std::optional<DataType> v = Child(depth, &nullable);
      if (!v || !Consume('>')) return std::nullopt;
      return DataType::Map(std::move(*k), std::move(*v), nullable);
    }
    return std::nullopt;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<DataType> ParseDataType(std::string_view text) { return TypeParser(text).ParseAll(); }

}  // namespace gaggle
