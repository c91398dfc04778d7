#include "formats/parquet/parquet_schema.h"

#include <set>

namespace gaggle::parquet {
namespace {

using K = LogicalType::Kind;

Status Unsupported(const std::string& column, const std::string& what) {
  return Status::Unsupported("Parquet column '" + column + "': " + what);
}

Status CheckDecimal(int precision, int scale, const std::string& column, bool reading) {
  if (precision > 18 && reading) {
    return Unsupported(column, "decimal(" + std::to_string(precision) + "," + std::to_string(scale) +
                                   ") has more than the 18 digits gaggle decimals hold");
  }
  if (precision < 1 || precision > 18 || scale < 0 || scale > precision) {
    std::string msg = "column '" + column + "': invalid decimal(" + std::to_string(precision) + "," +
                      std::to_string(scale) + ") (precision 1..18, scale 0..precision)";
    return reading ? Status::Corruption("Parquet " + msg) : Status::InvalidArgument(msg);
  }
  return Status::OK();
}

// The annotation of a leaf: its LogicalType when known, else one derived from ConvertedType.
std::optional<LogicalType> Annotation(const SchemaElement& e) {
  if (e.logical_type && e.logical_type->kind != K::kOther) return e.logical_type;
  if (!e.converted_type) return e.logical_type;  // kOther or nothing
  LogicalType t;
  switch (*e.converted_type) {
    case ConvertedType::kUtf8: t.kind = K::kString; break;
    case ConvertedType::kEnum: t.kind = K::kEnum; break;
    case ConvertedType::kJson: t.kind = K::kJson; break;
    case ConvertedType::kBson: t.kind = K::kBson; break;
    case ConvertedType::kDate: t.kind = K::kDate; break;
    case ConvertedType::kDecimal:
      t.kind = K::kDecimal;
      t.precision = e.precision.value_or(0);
      t.scale = e.scale.value_or(0);
      break;
    case ConvertedType::kTimeMillis:
    case ConvertedType::kTimeMicros:
      t.kind = K::kTime;
      t.unit = *e.converted_type == ConvertedType::kTimeMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      break;
    case ConvertedType::kTimestampMillis:
    case ConvertedType::kTimestampMicros:
      t.kind = K::kTimestamp;
      t.is_adjusted_to_utc = true;
      t.unit = *e.converted_type == ConvertedType::kTimestampMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      break;
    case ConvertedType::kInt8:
    case ConvertedType::kInt16:
    case ConvertedType::kInt32:
    case ConvertedType::kInt64:
    case ConvertedType::kUint8:
    case ConvertedType::kUint16:
    case ConvertedType::kUint32:
    case ConvertedType::kUint64: {
      static constexpr int8_t kWidths[] = {8, 16, 32, 64};
      int c = static_cast<int>(*e.converted_type);
      bool is_signed = c >= static_cast<int>(ConvertedType::kInt8);
      t.kind = K::kInteger;
      t.is_signed = is_signed;
      t.bit_width =
          kWidths[c - (is_signed ? static_cast<int>(ConvertedType::kInt8) : static_cast<int>(ConvertedType::kUint8))];
      break;
    }
    default:
      t.kind = K::kOther;
      t.other_id = -1;
      break;
  }
  return t;
}

std::string AnnotationName(const SchemaElement& e, const LogicalType& t) {
  switch (t.kind) {
    case K::kMap: return "MAP";
    case K::kList: return "LIST";
    case K::kTime: return "TIME";
    case K::kNull: return "UNKNOWN (always null)";
    case K::kUuid: return "UUID";
    case K::kFloat16: return "FLOAT16";
    case K::kBson: return "BSON";
    case K::kJson: return "JSON";
    case K::kEnum: return "ENUM";
    case K::kString: return "STRING";
    case K::kDate: return "DATE";
    case K::kDecimal: return "DECIMAL";
    case K::kTimestamp: return "TIMESTAMP";
    case K::kInteger: return "INTEGER";
    case K::kOther: break;
  }
  if (e.converted_type) return ConvertedTypeName(*e.converted_type);
  return "logical type #" + std::to_string(t.other_id);
}

Status MapLeaf(const SchemaElement& e, LeafColumn* leaf) {
  const std::string& name = e.name;
  std::optional<LogicalType> ann = Annotation(e);
  PhysicalType pt = *e.type;
  leaf->physical_type = pt;
  DataType& type = leaf->field.type;
  auto bad = [&](const LogicalType& t) {
    return Unsupported(name, AnnotationName(e, t) + " on " + PhysicalTypeName(pt) + " is not supported");
  };
  auto decimal = [&](const LogicalType& t, ValueConversion conv) -> Status {
    GAGGLE_RETURN_IF_ERROR(CheckDecimal(t.precision, t.scale, name, true));
    type = DataType::Decimal(t.precision, t.scale);
    leaf->conversion = conv;
    return Status::OK();
  };
  switch (pt) {
    case PhysicalType::kBoolean:
      if (ann && ann->kind != K::kNull) return bad(*ann);
      type = DataType::Bool();
      return Status::OK();
    case PhysicalType::kInt32:
      type = DataType::Int32();
      if (!ann || ann->kind == K::kNull) return Status::OK();
      if (ann->kind == K::kDate) {
        type = DataType::Date();
        return Status::OK();
      }
      if (ann->kind == K::kDecimal) return decimal(*ann, ValueConversion::kInt32ToInt64);
      if (ann->kind == K::kInteger && ann->bit_width <= 32) {
        if (!ann->is_signed && ann->bit_width == 32) {
          type = DataType::Int64();
          leaf->conversion = ValueConversion::kUint32ToInt64;
        }
        return Status::OK();
      }
      return bad(*ann);
    case PhysicalType::kInt64:
      type = DataType::Int64();
      if (!ann || ann->kind == K::kNull) return Status::OK();
      if (ann->kind == K::kInteger) {
        if (!ann->is_signed && ann->bit_width == 64) leaf->conversion = ValueConversion::kUint64ToInt64;
        return Status::OK();
      }
      if (ann->kind == K::kDecimal) return decimal(*ann, ValueConversion::kNone);
      if (ann->kind == K::kTimestamp) {
        type = DataType::Timestamp();
        if (ann->unit == TimeUnit::kMillis) {
          leaf->conversion = ValueConversion::kTimestampScale;
          leaf->timestamp_multiplier = 1000;
        } else if (ann->unit == TimeUnit::kNanos) {
          leaf->conversion = ValueConversion::kTimestampScale;
          leaf->timestamp_divisor = 1000;
        }
        return Status::OK();
      }
      return bad(*ann);
    case PhysicalType::kInt96:
      return Unsupported(name, "INT96 (legacy timestamp) is not supported; rewrite it as INT64 TIMESTAMP");
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      if (ann && ann->kind != K::kNull) return bad(*ann);
      type = pt == PhysicalType::kFloat ? DataType::Float() : DataType::Double();
      return Status::OK();
    case PhysicalType::kByteArray:
      type = DataType::Binary();
      if (!ann || ann->kind == K::kNull || ann->kind == K::kBson) return Status::OK();
      if (ann->kind == K::kString || ann->kind == K::kEnum || ann->kind == K::kJson) {
        type = DataType::String();
        return Status::OK();
      }
      if (ann->kind == K::kDecimal) return decimal(*ann, ValueConversion::kDecimalBytes);
      return bad(*ann);
    case PhysicalType::kFixedLenByteArray:
      if (!e.type_length || *e.type_length <= 0) {
        return Status::Corruption("Parquet column '" + name + "': FIXED_LEN_BYTE_ARRAY without a positive type_length");
      }
      leaf->type_length = *e.type_length;
      if (ann && ann->kind == K::kDecimal) return decimal(*ann, ValueConversion::kDecimalBytes);
      if (ann && ann->kind != K::kNull) return bad(*ann);
      type = DataType::Binary();
      leaf->conversion = ValueConversion::kFixedToBinary;
      return Status::OK();
  }
  return Unsupported(name, "physical type " + PhysicalTypeName(pt) + " is not supported");
}

}  // namespace

PhysicalType PhysicalTypeFor(const DataType& type) {
  switch (type.id) {
    case TypeId::kBool: return PhysicalType::kBoolean;
    case TypeId::kInt32:
    case TypeId::kDate: return PhysicalType::kInt32;
    case TypeId::kInt64:
    case TypeId::kTimestamp: return PhysicalType::kInt64;
    case TypeId::kFloat: return PhysicalType::kFloat;
    case TypeId::kDouble: return PhysicalType::kDouble;
    case TypeId::kString:
    case TypeId::kBinary: return PhysicalType::kByteArray;
    case TypeId::kDecimal: return type.precision <= 9 ? PhysicalType::kInt32 : PhysicalType::kInt64;
  }
  return PhysicalType::kByteArray;
}

Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema) {
  std::vector<SchemaElement> out;
  out.reserve(schema.num_fields() + 1);
  SchemaElement& root = out.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.num_fields());
  for (const Field& f : schema.fields()) {
    SchemaElement e;
    e.name = f.name;
    e.type = PhysicalTypeFor(f.type);
    e.repetition_type = f.nullable ? Repetition::kOptional : Repetition::kRequired;
    LogicalType t;
    switch (f.type.id) {
      case TypeId::kString:
        t.kind = K::kString;
        e.logical_type = t;
        e.converted_type = ConvertedType::kUtf8;
        break;
      case TypeId::kDate:
        t.kind = K::kDate;
        e.logical_type = t;
        e.converted_type = ConvertedType::kDate;
        break;
      case TypeId::kTimestamp:
        t.kind = K::kTimestamp;
        t.unit = TimeUnit::kMicros;
        t.is_adjusted_to_utc = true;
        e.logical_type = t;
        e.converted_type = ConvertedType::kTimestampMicros;
        break;
      case TypeId::kDecimal:
        GAGGLE_RETURN_IF_ERROR(CheckDecimal(f.type.precision, f.type.scale, f.name, false));
        t.kind = K::kDecimal;
        t.precision = f.type.precision;
        t.scale = f.type.scale;
        e.logical_type = t;
        e.converted_type = ConvertedType::kDecimal;
        e.precision = f.type.precision;
        e.scale = f.type.scale;
        break;
      default: break;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<ParquetSchema> FromParquetSchema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("Parquet schema has no root element");
  const SchemaElement& root = elements[0];
  int64_t children = root.num_children.value_or(0);
  if (root.type) return Status::Corruption("Parquet schema root '" + root.name + "' is not a group");
  if (children < 0 || static_cast<size_t>(children) != elements.size() - 1) {
    // More elements than root children means nested groups; find the first to name it.
    for (size_t i = 1; i < elements.size(); ++i) {
      if (!elements[i].type) return Unsupported(elements[i].name, "nested groups are not supported");
    }
    return Status::Corruption("Parquet schema root declares " + std::to_string(children) + " children but " +
                              std::to_string(elements.size() - 1) + " elements follow");
  }
  ParquetSchema out;
  std::set<std::string> names;
  for (size_t i = 1; i < elements.size(); ++i) {
    const SchemaElement& e = elements[i];
    if (!e.type || e.num_children.value_or(0) > 0) {
      return Unsupported(e.name, "nested groups are not supported");
    }
    if (!e.repetition_type) return Status::Corruption("Parquet column '" + e.name + "' has no repetition type");
    if (*e.repetition_type == Repetition::kRepeated) {
      return Unsupported(e.name, "repeated fields (lists) are not supported");
    }
    if (*e.repetition_type != Repetition::kOptional && *e.repetition_type != Repetition::kRequired) {
      return Unsupported(e.name, "repetition type " + std::to_string(static_cast<int>(*e.repetition_type)));
    }
    if (!names.insert(e.name).second) return Unsupported(e.name, "the column name appears twice");
    LeafColumn leaf;
    leaf.field.name = e.name;
    leaf.field.nullable = *e.repetition_type == Repetition::kOptional;
    leaf.schema_index = static_cast<int>(i);
    leaf.max_definition_level = leaf.field.nullable ? 1 : 0;
    GAGGLE_RETURN_IF_ERROR(MapLeaf(e, &leaf));
    out.schema.AddField(leaf.field);
    out.leaves.push_back(std::move(leaf));
  }
  return out;
}

}  // namespace gaggle::parquet
