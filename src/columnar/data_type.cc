#include "columnar/data_type.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gaggle {

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
    case TypeId::kBinary: return 0;
  }
  return 0;
}

std::string DataType::ToString() const {
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
  }
  return "unknown";
}

std::optional<DataType> ParseDataType(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (t == "bool" || t == "boolean") return DataType::Bool();
  if (t == "int32" || t == "int" || t == "integer") return DataType::Int32();
  if (t == "int64" || t == "long" || t == "bigint") return DataType::Int64();
  if (t == "float" || t == "float32" || t == "real") return DataType::Float();
  if (t == "double" || t == "float64") return DataType::Double();
  if (t == "string" || t == "str" || t == "utf8" || t == "varchar" || t == "text") return DataType::String();
  if (t == "binary" || t == "bytes" || t == "blob") return DataType::Binary();
  if (t == "date") return DataType::Date();
  if (t == "timestamp" || t == "datetime" || t == "timestamp_us" || t == "timestamptz" || t == "timestamp_utc") {
    return DataType::Timestamp();
  }
  if (t == "timestamp_ntz" || t == "local_timestamp") return DataType::LocalTimestamp();
  if (t.rfind("decimal(", 0) == 0 && t.back() == ')') {
    std::string_view inner(t.data() + 8, t.size() - 9);
    size_t comma = inner.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    int p = 0, s = 0;
    auto r1 = std::from_chars(inner.data(), inner.data() + comma, p);
    auto r2 = std::from_chars(inner.data() + comma + 1, inner.data() + inner.size(), s);
    if (r1.ec != std::errc() || r2.ec != std::errc() || r1.ptr != inner.data() + comma ||
        r2.ptr != inner.data() + inner.size()) {
      return std::nullopt;
    }
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p) return std::nullopt;
    return DataType::Decimal(p, s);
  }
  return std::nullopt;
}

}  // namespace gaggle
