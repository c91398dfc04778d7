#include "formats/parquet/parquet_schema.h"

#include "formats/parquet/parquet_schema_internal.h"

namespace gaggle::parquet {
namespace {

using K = LogicalType::Kind;

// Decimals read at any precision (more than 38 digits become their exact text); written
// with 1..38 digits. The scale must lie in 0..precision.
Status CheckDecimal(int precision, int scale, const std::string& column, bool reading) {
  if (precision < 1 || (!reading && precision > kMaxDecimalPrecision) || scale < 0 || scale > precision) {
    std::string msg = "column '" + column + "': invalid decimal(" + std::to_string(precision) + "," +
                      std::to_string(scale) + ") (precision 1.." + std::to_string(kMaxDecimalPrecision) +
                      ", scale 0..precision)";
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

// DECIMAL on any physical type: int64 storage up to 18 digits, Int128 up to 38, text beyond.
Status MapDecimal(const SchemaElement& e, const LogicalType& t, LeafColumn* leaf) {
  GAGGLE_RETURN_IF_ERROR(CheckDecimal(t.precision, t.scale, e.name, true));
  const bool from_bytes =
      leaf->physical_type == PhysicalType::kByteArray || leaf->physical_type == PhysicalType::kFixedLenByteArray;
  if (t.precision > kMaxDecimalPrecision) {
    if (!from_bytes) {
      return Status::Corruption("Parquet column '" + e.name + "': decimal(" + std::to_string(t.precision) + "," +
                                std::to_string(t.scale) + ") cannot be stored in " +
                                PhysicalTypeName(leaf->physical_type));
    }
    leaf->field.type = DataType::String();
    leaf->conversion = ValueConversion::kDecimalText;
    leaf->decimal_precision = t.precision;
    leaf->decimal_scale = t.scale;
    return Status::OK();
  }
  leaf->field.type = DataType::Decimal(t.precision, t.scale);
  if (from_bytes) {
    leaf->conversion = ValueConversion::kDecimalBytes;
  } else if (t.precision > kMaxDecimal64Precision) {
    leaf->conversion = ValueConversion::kIntToInt128;
  } else if (leaf->physical_type == PhysicalType::kInt32) {
    leaf->conversion = ValueConversion::kInt32ToInt64;
  }
  return Status::OK();
}

}  // namespace

// A leaf's gaggle type from its physical type and annotation. Annotations gaggle has no
// counterpart for (unknown logical types, GEOMETRY, GEOGRAPHY, TIME, UUID, INTERVAL, ...)
// leave the physical type's value as it is, as other readers do.
Status MapLeaf(const SchemaElement& e, LeafColumn* leaf) {
  std::optional<LogicalType> ann = Annotation(e);
  const PhysicalType pt = *e.type;
  leaf->physical_type = pt;
  DataType& type = leaf->field.type;
  const K kind = ann ? ann->kind : K::kOther;
  if (kind == K::kDecimal && pt != PhysicalType::kBoolean && pt != PhysicalType::kFloat &&
      pt != PhysicalType::kDouble && pt != PhysicalType::kInt96) {
    if (pt == PhysicalType::kFixedLenByteArray) {
      if (!e.type_length || *e.type_length <= 0) {
        return Status::Corruption("Parquet column '" + e.name +
                                  "': FIXED_LEN_BYTE_ARRAY without a positive type_length");
      }
      leaf->type_length = *e.type_length;
    }
    return MapDecimal(e, *ann, leaf);
  }
  switch (pt) {
    case PhysicalType::kBoolean: type = DataType::Bool(); return Status::OK();
    case PhysicalType::kInt32:
      type = kind == K::kDate ? DataType::Date() : DataType::Int32();
      if (kind == K::kInteger && !ann->is_signed && ann->bit_width == 32) {
        type = DataType::Int64();
        leaf->conversion = ValueConversion::kUint32ToInt64;
      }
      return Status::OK();
    case PhysicalType::kInt64:
      type = DataType::Int64();
      if (kind == K::kInteger && !ann->is_signed && ann->bit_width == 64) {
        leaf->conversion = ValueConversion::kUint64ToInt64;
      } else if (kind == K::kTimestamp) {
        type = ann->is_adjusted_to_utc ? DataType::Timestamp() : DataType::LocalTimestamp();
        if (ann->unit != TimeUnit::kMicros) leaf->conversion = ValueConversion::kTimestampScale;
        if (ann->unit == TimeUnit::kMillis) leaf->timestamp_multiplier = 1000;
        if (ann->unit == TimeUnit::kNanos) leaf->timestamp_divisor = 1000;
      }
      return Status::OK();
    case PhysicalType::kInt96:
      type = DataType::LocalTimestamp();
      leaf->conversion = ValueConversion::kInt96;
      return Status::OK();
    case PhysicalType::kFloat: type = DataType::Float(); return Status::OK();
    case PhysicalType::kDouble: type = DataType::Double(); return Status::OK();
    case PhysicalType::kByteArray:
      type = kind == K::kString || kind == K::kEnum || kind == K::kJson ? DataType::String() : DataType::Binary();
      return Status::OK();
    case PhysicalType::kFixedLenByteArray:
      if (!e.type_length || *e.type_length <= 0) {
        return Status::Corruption("Parquet column '" + e.name +
                                  "': FIXED_LEN_BYTE_ARRAY without a positive type_length");
      }
      leaf->type_length = *e.type_length;
      if (kind == K::kFloat16) {
        if (*e.type_length != 2) {
          return Status::Corruption("Parquet column '" + e.name + "': FLOAT16 on FIXED_LEN_BYTE_ARRAY(" +
                                    std::to_string(*e.type_length) + ") (it needs 2 bytes)");
        }
        type = DataType::Float();
        leaf->conversion = ValueConversion::kFloat16;
        return Status::OK();
      }
      type = DataType::Binary();
      leaf->conversion = ValueConversion::kFixedToBinary;
      return Status::OK();
  }
  return Status::Corruption("Parquet column '" + e.name + "': unknown physical type " + PhysicalTypeName(pt));
}

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
    case TypeId::kDecimal:
      return type.precision <= 9                        ? PhysicalType::kInt32
             : type.precision <= kMaxDecimal64Precision ? PhysicalType::kInt64
                                                        : PhysicalType::kFixedLenByteArray;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: break;  // groups have no physical type; their leaves do
  }
  return PhysicalType::kByteArray;
}

Status LeafSchemaElement(const Field& f, SchemaElement* out) {
  SchemaElement& e = *out;
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
      t.is_adjusted_to_utc = f.type.utc;
      e.logical_type = t;
      // The legacy TIMESTAMP_MICROS means UTC-adjusted: a naive timestamp must not carry it.
      if (f.type.utc) e.converted_type = ConvertedType::kTimestampMicros;
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
      if (f.type.is_wide_decimal()) e.type_length = kWideDecimalBytes;
      break;
    default: break;
  }
  return Status::OK();
}

Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema) {
  std::vector<SchemaElement> out;
  out.reserve(schema.num_fields() + 1);
  SchemaElement& root = out.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.num_fields());
  for (const Field& f : schema.fields()) {
    if (f.type.is_nested()) {
      GAGGLE_RETURN_IF_ERROR(AppendNestedSchemaElements(f, &out));
      continue;
    }
    SchemaElement e;
    GAGGLE_RETURN_IF_ERROR(LeafSchemaElement(f, &e));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gaggle::parquet
