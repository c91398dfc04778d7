#include "formats/avro/avro_schema.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace gaggle::avro {
namespace {

using Json = nlohmann::json;

// Nesting deeper than this is refused (it bounds the recursion of every walk below).
constexpr int kMaxDepth = 64;
// A fixed wider than this is refused: it would be one binary value of that size.
constexpr int64_t kMaxFixedSize = 1 << 24;

struct Node {
  Kind kind = Kind::kNull;
  std::string name;  // full name of a named type
  std::string logical_type;
  int64_t precision = 0;
  int64_t scale = 0;
  int64_t fixed_size = 0;
  std::vector<std::string> symbols;
  std::vector<std::pair<std::string, int>> fields;  // record: field name, node
  std::vector<int> branches;                        // union
  int items = -1;                                   // array items / map values
  bool complete = true;                             // false while a record's fields are parsed
};

bool PrimitiveKind(std::string_view s, Kind* kind) {
  static const std::pair<const char*, Kind> kPrims[] = {
      {"null", Kind::kNull},   {"boolean", Kind::kBoolean}, {"int", Kind::kInt},     {"long", Kind::kLong},
      {"float", Kind::kFloat}, {"double", Kind::kDouble},   {"bytes", Kind::kBytes}, {"string", Kind::kString},
  };
  for (const auto& [n, k] : kPrims) {
    if (s == n) {
      *kind = k;
      return true;
    }
  }
  return false;
}

class Parser {
 public:
  std::vector<Node> nodes;

  Result<int> Parse(const Json& j, const std::string& ns, int depth) {
    if (depth > kMaxDepth) return Status::Unsupported("Avro schema nests deeper than " + std::to_string(kMaxDepth));
    if (j.is_string()) return ParseName(j.get<std::string>(), ns);
    if (j.is_array()) {
      Node u;
      u.kind = Kind::kUnion;
      for (const Json& b : j) {
        GAGGLE_ASSIGN_OR_RETURN(int idx, Parse(b, ns, depth + 1));
        if (nodes[idx].kind == Kind::kUnion) return Invalid("a union directly inside a union");
        u.branches.push_back(idx);
      }
      if (u.branches.empty()) return Invalid("an empty union");
      return Add(std::move(u));
    }
    if (!j.is_object()) return Invalid("a schema that is neither a string, an object nor an array");
    auto t = j.find("type");
    if (t == j.end()) return Invalid("an object without \"type\"");
    if (!t->is_string()) return Parse(*t, ns, depth + 1);  // {"type": {...}} or {"type": [...]}
    const std::string type = t->get<std::string>();
    Kind prim;
    if (PrimitiveKind(type, &prim)) {
      Node n;
      n.kind = prim;
      ReadLogical(j, &n);
      return Add(std::move(n));
    }
    if (type == "record" || type == "error") return ParseRecord(j, ns, depth);
    if (type == "enum" || type == "fixed") {
      Node n;
      n.kind = type == "enum" ? Kind::kEnum : Kind::kFixed;
      GAGGLE_ASSIGN_OR_RETURN(n.name, FullName(j, ns));
      if (n.kind == Kind::kEnum) {
        auto s = j.find("symbols");
        if (s == j.end() || !s->is_array()) return Invalid("enum '" + n.name + "' without a \"symbols\" array");
        std::set<std::string> seen;
        for (const Json& sym : *s) {
          if (!sym.is_string()) return Invalid("enum '" + n.name + "' with a non-string symbol");
          if (!seen.insert(sym.get<std::string>()).second) return Invalid("enum '" + n.name + "' repeats a symbol");
          n.symbols.push_back(sym.get<std::string>());
        }
        if (n.symbols.empty()) return Status::Unsupported("enum '" + n.name + "' without symbols (it has no values)");
      } else {
        auto s = j.find("size");
        if (s == j.end() || !s->is_number_integer()) return Invalid("fixed '" + n.name + "' without an integer size");
        n.fixed_size = s->get<int64_t>();
        if (n.fixed_size < 1 || n.fixed_size > kMaxFixedSize) {
          return Status::Unsupported("fixed '" + n.name + "' of size " + std::to_string(n.fixed_size) +
                                     " (supported: 1.." + std::to_string(kMaxFixedSize) + ")");
        }
        ReadLogical(j, &n);
      }
      return Define(std::move(n));
    }
    if (type == "array" || type == "map") {
      Node n;
      n.kind = type == "array" ? Kind::kArray : Kind::kMap;
      auto it = j.find(type == "array" ? "items" : "values");
      if (it == j.end()) return Invalid(type + " without its element type");
      GAGGLE_ASSIGN_OR_RETURN(n.items, Parse(*it, ns, depth + 1));
      return Add(std::move(n));
    }
    return ParseName(type, ns);
  }

 private:
  std::map<std::string, int> named_;

  static Status Invalid(const std::string& what) { return Status::Corruption("invalid Avro schema: " + what); }

  int Add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size() - 1);
  }

  Result<int> Define(Node n) {
    std::string name = n.name;
    if (named_.count(name) != 0) return Invalid("type '" + name + "' is defined twice");
    int idx = Add(std::move(n));
    named_[name] = idx;
    return idx;
  }

  static void ReadLogical(const Json& j, Node* n) {
    auto lt = j.find("logicalType");
    if (lt == j.end() || !lt->is_string()) return;
    n->logical_type = lt->get<std::string>();
    auto p = j.find("precision");
    auto s = j.find("scale");
    if (p != j.end() && p->is_number_integer()) n->precision = p->get<int64_t>();
    if (s != j.end() && s->is_number_integer()) n->scale = s->get<int64_t>();
  }

  static Result<std::string> FullName(const Json& j, const std::string& ns) {
    auto n = j.find("name");
    if (n == j.end() || !n->is_string() || n->get<std::string>().empty()) return Invalid("a named type without a name");
    std::string name = n->get<std::string>();
    if (name.find('.') != std::string::npos) return name;
    std::string space = ns;
    auto s = j.find("namespace");
    if (s != j.end() && s->is_string()) space = s->get<std::string>();
    return space.empty() ? name : space + "." + name;
  }

  static std::string NamespaceOf(const std::string& full) {
    size_t dot = full.rfind('.');
    return dot == std::string::npos ? std::string() : full.substr(0, dot);
  }

  Result<int> ParseName(const std::string& name, const std::string& ns) {
    Kind prim;
    if (PrimitiveKind(name, &prim)) {
      Node n;
      n.kind = prim;
      return Add(std::move(n));
    }
    auto it = named_.end();
    if (name.find('.') == std::string::npos && !ns.empty()) it = named_.find(ns + "." + name);
    if (it == named_.end()) it = named_.find(name);
    if (it == named_.end()) return Invalid("unknown type name '" + name + "'");
    if (!nodes[it->second].complete) {
      return Status::Unsupported("recursive Avro record '" + name + "' (cannot be flattened into columns)");
    }
    return it->second;
  }

  Result<int> ParseRecord(const Json& j, const std::string& ns, int depth) {
    Node n;
    n.kind = Kind::kRecord;
    GAGGLE_ASSIGN_OR_RETURN(n.name, FullName(j, ns));
    n.complete = false;
    std::string name = n.name;
    GAGGLE_ASSIGN_OR_RETURN(int idx, Define(std::move(n)));
    auto f = j.find("fields");
    if (f == j.end() || !f->is_array()) return Invalid("record '" + name + "' without a \"fields\" array");
    std::set<std::string> seen;
    std::string inner_ns = NamespaceOf(name);
    for (const Json& field : *f) {
      if (!field.is_object()) return Invalid("record '" + name + "' has a field that is not an object");
      auto fname = field.find("name");
      auto ftype = field.find("type");
      if (fname == field.end() || !fname->is_string() || ftype == field.end()) {
        return Invalid("record '" + name + "' has a field without a name or type");
      }
      std::string field_name = fname->get<std::string>();
      if (!seen.insert(field_name).second) return Invalid("record '" + name + "' repeats field '" + field_name + "'");
      GAGGLE_ASSIGN_OR_RETURN(int type_idx, Parse(*ftype, inner_ns, depth + 1));
      nodes[idx].fields.emplace_back(field_name, type_idx);
    }
    nodes[idx].complete = true;
    return idx;
  }
};

class Mapper {
 public:
  Mapper(const std::vector<Node>& nodes, ReadMapping* out) : nodes_(nodes), out_(out) {}

  Status Map(int idx, const std::string& name, bool nullable, PlanNode* plan) {
    const Node& n = nodes_[idx];
    plan->first_column = static_cast<int>(out_->schema.num_fields());
    switch (n.kind) {
      case Kind::kRecord:
        plan->type = PlanNode::Type::kRecord;
        plan->children.resize(n.fields.size());
        for (size_t i = 0; i < n.fields.size(); ++i) {
          std::string child = name.empty() ? n.fields[i].first : name + "." + n.fields[i].first;
          GAGGLE_RETURN_IF_ERROR(Map(n.fields[i].second, child, nullable, &plan->children[i]));
        }
        break;
      case Kind::kUnion: {
        plan->type = PlanNode::Type::kUnion;
        plan->branch_count = static_cast<int>(n.branches.size());
        int value = -1;
        for (int b = 0; b < plan->branch_count; ++b) {
          if (nodes_[n.branches[b]].kind == Kind::kNull && plan->null_branch < 0) {
            plan->null_branch = b;
          } else if (value < 0) {
            value = b;
          } else {
            // A general union: one nested column (a struct of its members).
            *plan = PlanNode{};
            plan->first_column = static_cast<int>(out_->schema.num_fields());
            GAGGLE_RETURN_IF_ERROR(MapNestedColumn(idx, name, nullable, plan));
            plan->end_column = static_cast<int>(out_->schema.num_fields());
            return Status::OK();
          }
        }
        if (value < 0) return Status::Unsupported("Avro field '" + Display(name) + "' has only the null type");
        plan->value_branch = value;
        plan->children.resize(1);
        GAGGLE_RETURN_IF_ERROR(Map(n.branches[value], name, nullable || plan->null_branch >= 0, &plan->children[0]));
        break;
      }
      case Kind::kArray:
      case Kind::kMap: GAGGLE_RETURN_IF_ERROR(MapNestedColumn(idx, name, nullable, plan)); break;
      case Kind::kNull:
        return Status::Unsupported("Avro field '" + Display(name) + "' has type null (a column without values)");
      default: GAGGLE_RETURN_IF_ERROR(MapLeaf(n, name, nullable, plan));
    }
    plan->end_column = static_cast<int>(out_->schema.num_fields());
    return Status::OK();
  }

  // Synthetic, always-valid names keep avro-c's own name rules out of the way.
  std::string AvroCJson(const PlanNode& p) {
    switch (p.type) {
      case PlanNode::Type::kRecord: {
        std::string s = "{\"type\":\"record\",\"name\":\"r" + std::to_string(counter_++) + "\",\"fields\":[";
        for (size_t i = 0; i < p.children.size(); ++i) {
          if (i > 0) s += ",";
          s += "{\"name\":\"f" + std::to_string(i) + "\",\"type\":" + AvroCJson(p.children[i]) + "}";
        }
        return s + "]}";
      }
      case PlanNode::Type::kUnion: {
        std::string value = AvroCJson(p.children[0]);
        if (p.branch_count == 1) return "[" + value + "]";
        return p.null_branch == 0 ? "[\"null\"," + value + "]" : "[" + value + ",\"null\"]";
      }
      case PlanNode::Type::kArray: return "{\"type\":\"array\",\"items\":" + AvroCJson(p.children[0]) + "}";
      case PlanNode::Type::kMap: return "{\"type\":\"map\",\"values\":" + AvroCJson(p.children[0]) + "}";
      case PlanNode::Type::kTaggedUnion: {
        std::string s = "[";
        for (size_t b = 0; b < p.branch_child.size(); ++b) {
          if (b > 0) s += ",";
          s += p.branch_child[b] < 0 ? "\"null\"" : AvroCJson(p.children[static_cast<size_t>(p.branch_child[b])]);
        }
        return s + "]";
      }
      case PlanNode::Type::kLeaf: break;
    }
    if (p.kind == Kind::kEnum) {
      std::string s = "{\"type\":\"enum\",\"name\":\"e" + std::to_string(counter_++) + "\",\"symbols\":[";
      for (size_t i = 0; i < p.symbols.size(); ++i) s += (i > 0 ? ",\"s" : "\"s") + std::to_string(i) + "\"";
      return s + "]}";
    }
    if (p.kind == Kind::kFixed) {
      return "{\"type\":\"fixed\",\"name\":\"x" + std::to_string(counter_++) +
             "\",\"size\":" + std::to_string(p.fixed_size) + "}";
    }
    return std::string("\"") + KindName(p.kind) + "\"";
  }

 private:
  static std::string Display(const std::string& name) { return name.empty() ? "(top level)" : name; }

  Status MapLeaf(const Node& n, const std::string& name, bool nullable, PlanNode* plan) {
    DataType type;
    GAGGLE_RETURN_IF_ERROR(LeafType(n, plan, &type));
    return AddColumn(name, type, nullable);
  }

  Status AddColumn(const std::string& name, const DataType& type, bool nullable) {
    std::string column = name.empty() ? "value" : name;
    if (out_->schema.FindField(column) >= 0) {
      return Status::Unsupported("Avro schema flattens to two columns named '" + column + "'");
    }
    out_->schema.AddField(Field{column, type, nullable});
    return Status::OK();
  }

  // A leaf's gaggle type; fills the plan's leaf fields.
  Status LeafType(const Node& n, PlanNode* plan, DataType* out) {
    plan->type = PlanNode::Type::kLeaf;
    plan->kind = n.kind;
    plan->fixed_size = n.fixed_size;
    DataType type;
    const std::string& lt = n.logical_type;
    switch (n.kind) {
      case Kind::kBoolean:
        type = DataType::Bool();
        plan->conversion = Conversion::kBool;
        break;
      case Kind::kInt:
        if (lt == "date") {
          type = DataType::Date();
          plan->conversion = Conversion::kDate;
        } else {
          type = DataType::Int32();
          plan->conversion = Conversion::kInt32;
        }
        break;
      case Kind::kLong:
        // local-timestamp-* are naive wall-clock readings and stay naive (timestamp_ntz).
        if (lt == "timestamp-millis" || lt == "local-timestamp-millis") {
          type = lt[0] == 'l' ? DataType::LocalTimestamp() : DataType::Timestamp();
          plan->conversion = Conversion::kTimestampMillis;
        } else if (lt == "timestamp-micros" || lt == "local-timestamp-micros") {
          type = lt[0] == 'l' ? DataType::LocalTimestamp() : DataType::Timestamp();
          plan->conversion = Conversion::kTimestampMicros;
        } else {
          type = DataType::Int64();
          plan->conversion = Conversion::kInt64;
        }
        break;
      case Kind::kFloat:
        type = DataType::Float();
        plan->conversion = Conversion::kFloat;
        break;
      case Kind::kDouble:
        type = DataType::Double();
        plan->conversion = Conversion::kDouble;
        break;
      case Kind::kString:
        type = DataType::String();
        plan->conversion = Conversion::kString;
        break;
      case Kind::kEnum:
        type = DataType::String();
        plan->conversion = Conversion::kEnumSymbol;
        plan->symbols = n.symbols;
        break;
      case Kind::kBytes:
      case Kind::kFixed:
        type = DataType::Binary();
        plan->conversion = Conversion::kBinary;
        // The spec says an invalid decimal (bad precision or scale) falls back to the underlying type.
        if (lt == "decimal" && n.precision > 0 && n.scale >= 0 && n.scale <= n.precision) {
          plan->precision = static_cast<int>(std::min<int64_t>(n.precision, 1 << 20));
          plan->scale = static_cast<int>(n.scale);
          if (n.precision > kMaxDecimalPrecision) {
            // Wider than any gaggle decimal: kept exactly as its decimal text.
            type = DataType::String();
            plan->conversion = Conversion::kDecimalText;
          } else {
            type = DataType::Decimal(static_cast<int>(n.precision), static_cast<int>(n.scale));
            plan->conversion = Conversion::kDecimal;
          }
        }
        break;
      default: return Status::Internal("unexpected Avro leaf kind");
    }
    *out = std::move(type);
    return Status::OK();
  }

  // The type of a value inside a nested column (below an array, map or general union, or
  // such a column itself), and its plan. *nullable: a union with a null branch.
  Status MapValue(int idx, const std::string& path, int depth, PlanNode* plan, DataType* type, bool* nullable) {
    if (depth > kMaxTypeDepth) return Status::Unsupported("Avro field '" + Display(path) + "' nests too deep");
    const Node& n = nodes_[idx];
    *nullable = false;
    switch (n.kind) {
      case Kind::kRecord: {
        plan->type = PlanNode::Type::kRecord;
        plan->children.resize(n.fields.size());
        std::vector<Field> fields(n.fields.size());
        for (size_t i = 0; i < n.fields.size(); ++i) {
          fields[i].name = n.fields[i].first;
          GAGGLE_RETURN_IF_ERROR(MapValue(n.fields[i].second, path + "." + n.fields[i].first, depth + 1,
                                          &plan->children[i], &fields[i].type, &fields[i].nullable));
        }
        if (fields.empty()) return Status::Unsupported("Avro field '" + Display(path) + "' is a record without fields");
        *type = DataType::Struct(std::move(fields));
        return Status::OK();
      }
      case Kind::kArray:
      case Kind::kMap: {
        plan->type = n.kind == Kind::kArray ? PlanNode::Type::kArray : PlanNode::Type::kMap;
        plan->children.resize(1);
        DataType item;
        bool item_nullable = false;
        GAGGLE_RETURN_IF_ERROR(MapValue(n.items, path + (n.kind == Kind::kArray ? "[]" : "{}"), depth + 1,
                                        &plan->children[0], &item, &item_nullable));
        *type = n.kind == Kind::kArray ? DataType::List(std::move(item), item_nullable)
                                       : DataType::Map(DataType::String(), std::move(item), item_nullable);
        return Status::OK();
      }
      case Kind::kUnion: return MapUnionValue(n, path, depth, plan, type, nullable);
      case Kind::kNull: return Status::Unsupported("Avro field '" + Display(path) + "' has only the null type");
      default: return LeafType(n, plan, type);
    }
  }

  Status MapUnionValue(const Node& n, const std::string& path, int depth, PlanNode* plan, DataType* type,
                       bool* nullable) {
    plan->branch_count = static_cast<int>(n.branches.size());
    std::vector<int> values;
    for (int b = 0; b < plan->branch_count; ++b) {
      if (nodes_[n.branches[b]].kind == Kind::kNull && plan->null_branch < 0) {
        plan->null_branch = b;
      } else {
        values.push_back(b);
      }
    }
    if (values.empty()) return Status::Unsupported("Avro field '" + Display(path) + "' has only the null type");
    *nullable = plan->null_branch >= 0;
    bool ignored = false;
    if (values.size() == 1) {
      plan->type = PlanNode::Type::kUnion;
      plan->value_branch = values[0];
      plan->children.resize(1);
      return MapValue(n.branches[values[0]], path, depth + 1, &plan->children[0], type, &ignored);
    }
    plan->type = PlanNode::Type::kTaggedUnion;
    plan->branch_child.assign(n.branches.size(), -1);
    plan->children.resize(values.size());
    std::vector<Field> members(values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      plan->branch_child[values[k]] = static_cast<int>(k);
      members[k].name = "member" + std::to_string(k);
      members[k].nullable = true;  // exactly one member is set
      GAGGLE_RETURN_IF_ERROR(MapValue(n.branches[values[k]], path + "." + members[k].name, depth + 1,
                                      &plan->children[k], &members[k].type, &ignored));
    }
    *type = DataType::Struct(std::move(members));
    return Status::OK();
  }

  // A nested column at the top level (an array, a map or a general union, maybe nullable).
  Status MapNestedColumn(int idx, const std::string& name, bool nullable, PlanNode* plan) {
    DataType type;
    bool value_nullable = false;
    GAGGLE_RETURN_IF_ERROR(MapValue(idx, name.empty() ? "value" : name, 0, plan, &type, &value_nullable));
    SetColumn(static_cast<int>(out_->schema.num_fields()), plan);
    return AddColumn(name, type, nullable || value_nullable);
  }

  // Every node inside a nested column names that column (for messages).
  static void SetColumn(int column, PlanNode* plan) {
    plan->first_column = column;
    plan->end_column = column + 1;
    for (PlanNode& c : plan->children) SetColumn(column, &c);
  }

  const std::vector<Node>& nodes_;
  ReadMapping* out_;
  int counter_ = 0;
};

Result<ReadMapping> MapAvroSchemaJson(std::string_view json) {
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("avro.schema is not valid JSON");
  Parser parser;
  GAGGLE_ASSIGN_OR_RETURN(int root, parser.Parse(j, "", 0));
  ReadMapping out;
  Mapper mapper(parser.nodes, &out);
  GAGGLE_RETURN_IF_ERROR(mapper.Map(root, "", false, &out.root));
  if (out.schema.num_fields() == 0) return Status::Unsupported("Avro schema has no columns (an empty record)");
  out.avro_c_json = mapper.AvroCJson(out.root);
  return out;
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBoolean: return "boolean";
    case Kind::kInt: return "int";
    case Kind::kLong: return "long";
    case Kind::kFloat: return "float";
    case Kind::kDouble: return "double";
    case Kind::kBytes: return "bytes";
    case Kind::kString: return "string";
    case Kind::kRecord: return "record";
    case Kind::kEnum: return "enum";
    case Kind::kFixed: return "fixed";
    case Kind::kUnion: return "union";
    case Kind::kArray: return "array";
    case Kind::kMap: return "map";
  }
  return "unknown";
}

bool IsValidAvroName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

Result<ReadMapping> MapAvroSchema(std::string_view json) {
  try {
    return MapAvroSchemaJson(json);
  } catch (const std::exception& e) {  // nlohmann reports type errors by throwing; none may escape
    return Status::Corruption(std::string("invalid Avro schema: ") + e.what());
  }
}

}  // namespace gaggle::avro
