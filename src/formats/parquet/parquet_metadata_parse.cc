// Parsing half of parquet_metadata.h: compact-protocol bytes -> our metadata structs.
#include <optional>

#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/thrift_compact.h"

namespace gaggle::parquet {

using thrift::CompactReader;
using thrift::CType;

namespace {

// One field of a struct being parsed: reads the value into the target when the wire type is
// the expected one and marks the field handled; otherwise leaves it for the caller to skip.
class ThriftField {
 public:
  ThriftField(CompactReader& r, int16_t id, CType type) : r_(r), id_(id), type_(type) {}
  int16_t id() const { return id_; }
  bool handled() const { return handled_; }

  Status I32(int32_t* v) { return Take(CType::kI32) ? r_.ReadI32(v) : Status::OK(); }
  Status I32(std::optional<int32_t>* v) { return Take(CType::kI32) ? r_.ReadI32(&v->emplace()) : Status::OK(); }
  Status I64(int64_t* v) { return Take(CType::kI64) ? r_.ReadI64(v) : Status::OK(); }
  Status I64(std::optional<int64_t>* v) { return Take(CType::kI64) ? r_.ReadI64(&v->emplace()) : Status::OK(); }
  Status I16(std::optional<int16_t>* v) { return Take(CType::kI16) ? r_.ReadI16(&v->emplace()) : Status::OK(); }
  Status I8(int8_t* v) { return Take(CType::kByte) ? r_.ReadI8(v) : Status::OK(); }
  Status Bin(std::string* v) { return Take(CType::kBinary) ? r_.ReadBinary(v) : Status::OK(); }
  Status Bin(std::optional<std::string>* v) {
    return Take(CType::kBinary) ? r_.ReadBinary(&v->emplace()) : Status::OK();
  }
  Status Bool(bool* v) { return TakeBool() ? r_.ReadBool(v) : Status::OK(); }
  Status Bool(std::optional<bool>* v) { return TakeBool() ? r_.ReadBool(&v->emplace()) : Status::OK(); }
  template <typename E>
  Status Enum(E* v) {
    if (!Take(CType::kI32)) return Status::OK();
    int32_t raw = 0;
    GAGGLE_RETURN_IF_ERROR(r_.ReadI32(&raw));
    *v = static_cast<E>(raw);
    return Status::OK();
  }
  template <typename E>
  Status Enum(std::optional<E>* v) {
    E e{};
    bool was = handled_;
    GAGGLE_RETURN_IF_ERROR(Enum(&e));
    if (handled_ && !was) *v = e;
    return Status::OK();
  }
  // A nested struct: `parse` is called with the reader positioned at the struct.
  template <typename F>
  Status Struct(F parse) {
    return Take(CType::kStruct) ? parse() : Status::OK();
  }
  // A list whose elements have wire type `element`; `each` is called once per element.
  template <typename F>
  Status List(CType element, F each) {
    if (!Take(CType::kList)) return Status::OK();
    size_t start = r_.position();
    CType got = CType::kStop;
    uint32_t n = 0;
    GAGGLE_RETURN_IF_ERROR(r_.ReadListBegin(&got, &n));
    if (got != element) {
      return r_.ErrorAt("list element type " + std::to_string(static_cast<int>(got)) + " where " +
                            std::to_string(static_cast<int>(element)) + " was expected",
                        start);
    }
    for (uint32_t i = 0; i < n; ++i) GAGGLE_RETURN_IF_ERROR(each());
    return Status::OK();
  }

 private:
  bool Take(CType want) {
    if (type_ != want) return false;
    handled_ = true;
    return true;
  }
  bool TakeBool() {
    if (type_ != CType::kBoolTrue && type_ != CType::kBoolFalse) return false;
    handled_ = true;
    return true;
  }
  CompactReader& r_;
  int16_t id_;
  CType type_;
  bool handled_ = false;
};

// Parses one struct: `body(ThriftField&)` handles the fields it knows; the rest are skipped.
// Returns the set of handled field ids as a bitmask (ids 1..63) in *seen.
template <typename Body>
Status ParseStruct(CompactReader& r, uint64_t* seen, Body body) {
  GAGGLE_RETURN_IF_ERROR(r.BeginStruct());
  uint64_t mask = 0;
  while (true) {
    int16_t id = 0;
    CType type = CType::kStop;
    GAGGLE_RETURN_IF_ERROR(r.NextField(&id, &type));
    if (type == CType::kStop) break;
    ThriftField f(r, id, type);
    GAGGLE_RETURN_IF_ERROR(body(f));
    if (f.handled()) {
      if (id > 0 && id < 64) mask |= uint64_t{1} << id;
    } else {
      GAGGLE_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  if (seen != nullptr) *seen = mask;
  return r.EndStruct();
}

// Corruption unless every id in `required` was seen.
Status CheckRequired(const CompactReader& r, const char* what, uint64_t seen,
                     std::initializer_list<std::pair<int, const char*>> required) {
  for (const auto& [id, name] : required) {
    if ((seen & (uint64_t{1} << id)) == 0) {
      return r.Error(std::string(what) + " lacks required field '" + name + "'");
    }
  }
  return Status::OK();
}

Status ParseStatistics(CompactReader& r, Statistics* s) {
  return ParseStruct(r, nullptr, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.Bin(&s->max);
      case 2: return f.Bin(&s->min);
      case 3: return f.I64(&s->null_count);
      case 4: return f.I64(&s->distinct_count);
      case 5: return f.Bin(&s->max_value);
      case 6: return f.Bin(&s->min_value);
      case 7: return f.Bool(&s->is_max_value_exact);
      case 8: return f.Bool(&s->is_min_value_exact);
      case 9: return f.I64(&s->nan_count);
      default: return Status::OK();
    }
  });
}

Status ParseKeyValue(CompactReader& r, KeyValue* kv) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    if (f.id() == 1) return f.Bin(&kv->key);
    if (f.id() == 2) return f.Bin(&kv->value);
    return Status::OK();
  }));
  return CheckRequired(r, "KeyValue", seen, {{1, "key"}});
}

Status ParseKeyValues(ThriftField& f, CompactReader& r, std::vector<KeyValue>* out) {
  return f.List(CType::kStruct, [&]() { return ParseKeyValue(r, &out->emplace_back()); });
}

// TimeType / TimestampType: {1: bool isAdjustedToUTC, 2: TimeUnit unit}. An unknown unit
// turns the whole logical type into kOther.
Status ParseTimeLike(CompactReader& r, LogicalType* t) {
  bool unit_known = false;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, nullptr, [&](ThriftField& f) -> Status {
    if (f.id() == 1) return f.Bool(&t->is_adjusted_to_utc);
    if (f.id() != 2) return Status::OK();
    return f.Struct([&]() {
      return ParseStruct(r, nullptr, [&](ThriftField& u) -> Status {
        if (u.id() < 1 || u.id() > 3) return Status::OK();
        t->unit = u.id() == 1 ? TimeUnit::kMillis : u.id() == 2 ? TimeUnit::kMicros : TimeUnit::kNanos;
        unit_known = true;
        return u.Struct([&]() { return r.Skip(CType::kStruct); });
      });
    });
  }));
  if (!unit_known) {
    int16_t id = t->kind == LogicalType::Kind::kTime ? 7 : 8;
    *t = LogicalType{};
    t->kind = LogicalType::Kind::kOther;
    t->other_id = id;
  }
  return Status::OK();
}

Status ParseLogicalType(CompactReader& r, LogicalType* t) {
  using K = LogicalType::Kind;
  *t = LogicalType{};
  t->kind = K::kOther;
  return ParseStruct(r, nullptr, [&](ThriftField& f) -> Status {
    static constexpr K kEmptyKinds[] = {K::kOther, K::kString, K::kMap,   K::kList,   K::kEnum,  K::kOther,
                                        K::kDate,  K::kOther,  K::kOther, K::kOther,  K::kOther, K::kNull,
                                        K::kJson,  K::kBson,   K::kUuid,  K::kFloat16};
    int16_t id = f.id();
    *t = LogicalType{};  // a union: the last member present wins
    t->kind = K::kOther;
    t->other_id = id;
    if (id == 5) {
      return f.Struct([&]() {
        t->kind = K::kDecimal;
        t->other_id = 0;
        uint64_t seen = 0;
        GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& d) -> Status {
          if (d.id() == 1) return d.I32(&t->scale);
          if (d.id() == 2) return d.I32(&t->precision);
          return Status::OK();
        }));
        return CheckRequired(r, "DecimalType", seen, {{1, "scale"}, {2, "precision"}});
      });
    }
    if (id == 7 || id == 8) {
      return f.Struct([&]() {
        t->kind = id == 7 ? K::kTime : K::kTimestamp;
        t->other_id = 0;
        return ParseTimeLike(r, t);
      });
    }
    if (id == 10) {
      return f.Struct([&]() {
        t->kind = K::kInteger;
        t->other_id = 0;
        uint64_t seen = 0;
        GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& i) -> Status {
          if (i.id() == 1) return i.I8(&t->bit_width);
          if (i.id() == 2) return i.Bool(&t->is_signed);
          return Status::OK();
        }));
        return CheckRequired(r, "IntType", seen, {{1, "bitWidth"}, {2, "isSigned"}});
      });
    }
    t->kind = id >= 1 && id <= 15 ? kEmptyKinds[id] : K::kOther;
    t->other_id = t->kind == K::kOther ? id : 0;
    return Status::OK();  // an empty struct (or unknown member): skipped by ParseStruct
  });
}

Status ParseSchemaElement(CompactReader& r, SchemaElement* e) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.Enum(&e->type);
      case 2: return f.I32(&e->type_length);
      case 3: return f.Enum(&e->repetition_type);
      case 4: return f.Bin(&e->name);
      case 5: return f.I32(&e->num_children);
      case 6: return f.Enum(&e->converted_type);
      case 7: return f.I32(&e->scale);
      case 8: return f.I32(&e->precision);
      case 9: return f.I32(&e->field_id);
      case 10: return f.Struct([&]() { return ParseLogicalType(r, &e->logical_type.emplace()); });
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "SchemaElement", seen, {{4, "name"}});
}

Status ParseColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.Enum(&m->type);
      case 2:
        return f.List(CType::kI32, [&]() {
          int32_t raw = 0;
          GAGGLE_RETURN_IF_ERROR(r.ReadI32(&raw));
          m->encodings.push_back(static_cast<Encoding>(raw));
          return Status::OK();
        });
      case 3: return f.List(CType::kBinary, [&]() { return r.ReadBinary(&m->path_in_schema.emplace_back()); });
      case 4: return f.Enum(&m->codec);
      case 5: return f.I64(&m->num_values);
      case 6: return f.I64(&m->total_uncompressed_size);
      case 7: return f.I64(&m->total_compressed_size);
      case 8: return ParseKeyValues(f, r, &m->key_value_metadata);
      case 9: return f.I64(&m->data_page_offset);
      case 10: return f.I64(&m->index_page_offset);
      case 11: return f.I64(&m->dictionary_page_offset);
      case 12: return f.Struct([&]() { return ParseStatistics(r, &m->statistics.emplace()); });
      case 13:
        return f.List(CType::kStruct, [&]() {
          PageEncodingStats& s = m->encoding_stats.emplace_back();
          return ParseStruct(r, nullptr, [&](ThriftField& g) -> Status {
            if (g.id() == 1) return g.Enum(&s.page_type);
            if (g.id() == 2) return g.Enum(&s.encoding);
            if (g.id() == 3) return g.I32(&s.count);
            return Status::OK();
          });
        });
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "ColumnMetaData", seen,
                       {{1, "type"},
                        {2, "encodings"},
                        {3, "path_in_schema"},
                        {4, "codec"},
                        {5, "num_values"},
                        {6, "total_uncompressed_size"},
                        {7, "total_compressed_size"},
                        {9, "data_page_offset"}});
}

Status ParseColumnChunk(CompactReader& r, ColumnChunk* c) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.Bin(&c->file_path);
      case 2: return f.I64(&c->file_offset);
      case 3: return f.Struct([&]() { return ParseColumnMetaData(r, &c->meta_data.emplace()); });
      case 8:
      case 9: c->has_crypto_metadata = true; return Status::OK();  // skipped by ParseStruct
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "ColumnChunk", seen, {{2, "file_offset"}});
}

Status ParseRowGroup(CompactReader& r, RowGroup* g) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.List(CType::kStruct, [&]() { return ParseColumnChunk(r, &g->columns.emplace_back()); });
      case 2: return f.I64(&g->total_byte_size);
      case 3: return f.I64(&g->num_rows);
      case 5: return f.I64(&g->file_offset);
      case 6: return f.I64(&g->total_compressed_size);
      case 7: return f.I16(&g->ordinal);
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "RowGroup", seen, {{1, "columns"}, {2, "total_byte_size"}, {3, "num_rows"}});
}

Status ParseFileMetaData(CompactReader& r, FileMetaData* m) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.I32(&m->version);
      case 2: return f.List(CType::kStruct, [&]() { return ParseSchemaElement(r, &m->schema.emplace_back()); });
      case 3: return f.I64(&m->num_rows);
      case 4: return f.List(CType::kStruct, [&]() { return ParseRowGroup(r, &m->row_groups.emplace_back()); });
      case 5: return ParseKeyValues(f, r, &m->key_value_metadata);
      case 6: return f.Bin(&m->created_by);
      case 7:
        return f.List(CType::kStruct, [&]() {
          ColumnOrder& o = m->column_orders.emplace_back();
          o.type_defined_order = false;
          return ParseStruct(r, nullptr, [&](ThriftField& u) -> Status {
            if (u.id() == 1) o.type_defined_order = true;
            return Status::OK();
          });
        });
      case 8: m->has_encryption_algorithm = true; return Status::OK();
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "FileMetaData", seen, {{1, "version"}, {2, "schema"}, {3, "num_rows"}, {4, "row_groups"}});
}

Status ParsePageHeader(CompactReader& r, PageHeader* h) {
  uint64_t seen = 0;
  GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &seen, [&](ThriftField& f) -> Status {
    switch (f.id()) {
      case 1: return f.Enum(&h->type);
      case 2: return f.I32(&h->uncompressed_page_size);
      case 3: return f.I32(&h->compressed_page_size);
      case 4: return f.I32(&h->crc);
      case 5:
        return f.Struct([&]() {
          DataPageHeader& d = h->data_page_header.emplace();
          uint64_t dseen = 0;
          GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &dseen, [&](ThriftField& g) -> Status {
            switch (g.id()) {
              case 1: return g.I32(&d.num_values);
              case 2: return g.Enum(&d.encoding);
              case 3: return g.Enum(&d.definition_level_encoding);
              case 4: return g.Enum(&d.repetition_level_encoding);
              case 5: return g.Struct([&]() { return ParseStatistics(r, &d.statistics.emplace()); });
              default: return Status::OK();
            }
          }));
          return CheckRequired(r, "DataPageHeader", dseen, {{1, "num_values"}, {2, "encoding"}});
        });
      case 7:
        return f.Struct([&]() {
          DictionaryPageHeader& d = h->dictionary_page_header.emplace();
          uint64_t dseen = 0;
          GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &dseen, [&](ThriftField& g) -> Status {
            if (g.id() == 1) return g.I32(&d.num_values);
            if (g.id() == 2) return g.Enum(&d.encoding);
            if (g.id() == 3) return g.Bool(&d.is_sorted);
            return Status::OK();
          }));
          return CheckRequired(r, "DictionaryPageHeader", dseen, {{1, "num_values"}, {2, "encoding"}});
        });
      case 8:
        return f.Struct([&]() {
          DataPageHeaderV2& d = h->data_page_header_v2.emplace();
          uint64_t dseen = 0;
          GAGGLE_RETURN_IF_ERROR(ParseStruct(r, &dseen, [&](ThriftField& g) -> Status {
            switch (g.id()) {
              case 1: return g.I32(&d.num_values);
              case 2: return g.I32(&d.num_nulls);
              case 3: return g.I32(&d.num_rows);
              case 4: return g.Enum(&d.encoding);
              case 5: return g.I32(&d.definition_levels_byte_length);
              case 6: return g.I32(&d.repetition_levels_byte_length);
              case 7: return g.Bool(&d.is_compressed);
              case 8: return g.Struct([&]() { return ParseStatistics(r, &d.statistics.emplace()); });
              default: return Status::OK();
            }
          }));
          return CheckRequired(r, "DataPageHeaderV2", dseen,
                               {{1, "num_values"},
                                {2, "num_nulls"},
                                {3, "num_rows"},
                                {4, "encoding"},
                                {5, "definition_levels_byte_length"},
                                {6, "repetition_levels_byte_length"}});
        });
      default: return Status::OK();
    }
  }));
  return CheckRequired(r, "PageHeader", seen,
                       {{1, "type"}, {2, "uncompressed_page_size"}, {3, "compressed_page_size"}});
}

template <typename T, typename F>
Status ParseWith(std::string_view bytes, T* out, size_t* consumed, F parse) {
  *out = T{};
  CompactReader r(bytes);
  GAGGLE_RETURN_IF_ERROR(parse(r, out));
  if (consumed != nullptr) *consumed = r.position();
  return Status::OK();
}

}  // namespace

Status Parse(std::string_view bytes, FileMetaData* out, size_t* consumed) {
  return ParseWith(bytes, out, consumed, ParseFileMetaData);
}
Status Parse(std::string_view bytes, PageHeader* out, size_t* consumed) {
  return ParseWith(bytes, out, consumed, ParsePageHeader);
}
Status Parse(std::string_view bytes, Statistics* out, size_t* consumed) {
  return ParseWith(bytes, out, consumed, ParseStatistics);
}
Status Parse(std::string_view bytes, SchemaElement* out, size_t* consumed) {
  return ParseWith(bytes, out, consumed, ParseSchemaElement);
}

}  // namespace gaggle::parquet
