// The Parquet schema as a tree: reading groups, LIST and MAP (standard and legacy layouts) into
// nested gaggle fields with their level trees, and writing nested fields as group trees.
// See parquet_schema.h for the rules and parquet_levels.h for the levels.
#include <set>

#include "formats/parquet/parquet_schema.h"
#include "formats/parquet/parquet_schema_internal.h"

namespace gaggle::parquet {
namespace {

using K = LogicalType::Kind;

// LogicalType's VARIANT member (parquet.thrift field 16).
constexpr int kVariantLogicalTypeId = 16;

bool IsListGroup(const SchemaElement& e) {
  return (e.logical_type && e.logical_type->kind == K::kList) ||
         (e.converted_type && *e.converted_type == ConvertedType::kList);
}

bool IsMapGroup(const SchemaElement& e) {
  return (e.logical_type && e.logical_type->kind == K::kMap) ||
         (e.converted_type &&
          (*e.converted_type == ConvertedType::kMap || *e.converted_type == ConvertedType::kMapKeyValue));
}

// A field's node and whether its slots may be null.
struct Converted {
  LevelNode node;
  bool nullable = true;
};

class SchemaReader {
 public:
  explicit SchemaReader(const std::vector<SchemaElement>& elements) : el_(elements), children_(elements.size()) {}

  Result<ParquetSchema> Read();

 private:
  Status Index(size_t i, int depth, size_t* next);
  Result<Converted> ConvertField(size_t i, LevelContext ctx);
  Result<LevelNode> ConvertType(size_t i, LevelContext levels);
  Result<LevelNode> ConvertLeaf(size_t i, LevelContext levels);
  Result<LevelNode> ConvertStruct(size_t i, LevelContext levels);
  Result<LevelNode> ConvertList(size_t i, LevelContext levels);
  Result<LevelNode> ConvertMap(size_t i, LevelContext levels);
  Result<Converted> Child(size_t i, LevelContext ctx) {
    path_.push_back(el_[i].name);
    Result<Converted> c = ConvertField(i, ctx);
    path_.pop_back();
    return c;
  }

  std::string Path() const {
    std::string p;
    for (const std::string& s : path_) p += (p.empty() ? "" : ".") + s;
    return p;
  }
  Status Unsupported(const std::string& what) const {
    return Status::Unsupported("Parquet column '" + Path() + "': " + what);
  }
  Status Corrupt(const std::string& what) const {
    return Status::Corruption("Parquet column '" + Path() + "': " + what);
  }

  const std::vector<SchemaElement>& el_;
  std::vector<std::vector<size_t>> children_;
  std::vector<std::string> path_;              // element names from the top-level field down
  std::vector<int16_t> repeated_definitions_;  // per repeated ancestor: the def of its non-empty state
  size_t field_first_leaf_ = 0;
  ParquetSchema out_;
};

Status SchemaReader::Index(size_t i, int depth, size_t* next) {
  const SchemaElement& e = el_[i];
  if (depth > kMaxTypeDepth) {
    return Status::Unsupported("Parquet column '" + e.name + "': nested deeper than " + std::to_string(kMaxTypeDepth) +
                               " levels");
  }
  const int64_t n = e.num_children.value_or(0);
  if (n < 0) return Status::Corruption("Parquet schema element '" + e.name + "' has a negative child count");
  if (e.type && n > 0 && i > 0) {
    return Status::Corruption("Parquet column '" + e.name + "' is primitive but declares " + std::to_string(n) +
                              " children");
  }
  *next = i + 1;
  for (int64_t k = 0; k < n; ++k) {
    if (*next >= el_.size()) {
      return Status::Corruption("Parquet schema group '" + e.name + "' declares " + std::to_string(n) +
                                " children but the schema ends after " + std::to_string(k));
    }
    children_[i].push_back(*next);
    GAGGLE_RETURN_IF_ERROR(Index(*next, depth + 1, next));
  }
  return Status::OK();
}

Result<ParquetSchema> SchemaReader::Read() {
  if (el_.empty()) return Status::Corruption("Parquet schema has no root element");
  const SchemaElement& root = el_[0];
  if (root.type) return Status::Corruption("Parquet schema root '" + root.name + "' is not a group");
  size_t next = 0;
  GAGGLE_RETURN_IF_ERROR(Index(0, 0, &next));
  if (next != el_.size()) {
    return Status::Corruption("Parquet schema root declares " + std::to_string(root.num_children.value_or(0)) +
                              " children whose trees hold " + std::to_string(next - 1) + " elements, but " +
                              std::to_string(el_.size() - 1) + " elements follow");
  }
  std::set<std::string> names;
  for (size_t c : children_[0]) {
    const std::string& name = el_[c].name;
    path_ = {name};
    repeated_definitions_.clear();
    field_first_leaf_ = out_.leaves.size();
    if (!names.insert(name).second) return Unsupported("the column name appears twice");
    GAGGLE_ASSIGN_OR_RETURN(Converted f, ConvertField(c, LevelContext{}));
    ParquetField pf;
    pf.first_leaf = field_first_leaf_;
    pf.num_leaves = out_.leaves.size() - field_first_leaf_;
    if (!IsFlatField(f.node)) pf.tree = std::make_shared<const LevelNode>(f.node);
    out_.schema.AddField(Field{name, f.node.type, f.nullable});
    out_.fields.push_back(std::move(pf));
  }
  return std::move(out_);
}

Result<Converted> SchemaReader::ConvertField(size_t i, LevelContext ctx) {
  const SchemaElement& e = el_[i];
  if (!e.repetition_type) return Status::Corruption("Parquet column '" + Path() + "' has no repetition type");
  const int16_t repeated = static_cast<int16_t>(ctx.valid_def + 1);
  switch (*e.repetition_type) {
    case Repetition::kRequired: {
      GAGGLE_ASSIGN_OR_RETURN(LevelNode n, ConvertType(i, ctx));
      return Converted{std::move(n), false};
    }
    case Repetition::kOptional: {
      GAGGLE_ASSIGN_OR_RETURN(LevelNode n, ConvertType(i, LevelContext{ctx.slot_def, repeated, ctx.rep}));
      return Converted{std::move(n), true};
    }
    case Repetition::kRepeated: {
      // A repeated field outside LIST/MAP: a non-null list of required elements.
      repeated_definitions_.push_back(repeated);
      Result<LevelNode> element = ConvertType(i, LevelContext{repeated, repeated, static_cast<int16_t>(ctx.rep + 1)});
      repeated_definitions_.pop_back();
      if (!element.ok()) return element.status();
      LevelNode list;
      list.kind = LevelNode::Kind::kList;
      list.type = DataType::List(element->type, false);
      list.slot_def = ctx.slot_def;
      list.valid_def = ctx.valid_def;
      list.rep = ctx.rep;
      list.leaf = element->leaf;
      list.children.push_back(std::move(element).value());
      return Converted{std::move(list), false};
    }
  }
  return Status::Corruption("Parquet column '" + Path() + "': unknown repetition type " +
                            std::to_string(static_cast<int>(*e.repetition_type)));
}

Result<LevelNode> SchemaReader::ConvertType(size_t i, LevelContext levels) {
  const SchemaElement& e = el_[i];
  if (e.type) return ConvertLeaf(i, levels);
  if (children_[i].empty()) return Unsupported("a group without fields has no gaggle type");
  if (e.logical_type && e.logical_type->kind == K::kOther && e.logical_type->other_id == kVariantLogicalTypeId) {
    // Its physical struct (metadata, value, typed_value) is an encoding, not the data: reading
    // it as a struct would hand on bytes no reader takes for the values.
    return Unsupported("VARIANT (semi-structured values, shredded or not) is not supported");
  }
  if (IsListGroup(e)) return ConvertList(i, levels);
  if (IsMapGroup(e)) return ConvertMap(i, levels);
  return ConvertStruct(i, levels);
}

Result<LevelNode> SchemaReader::ConvertLeaf(size_t i, LevelContext levels) {
  LeafColumn leaf;
  leaf.field.name = Path();
  leaf.field.nullable = levels.valid_def > levels.slot_def;
  leaf.schema_index = static_cast<int>(i);
  leaf.max_definition_level = levels.valid_def;
  leaf.max_repetition_level = levels.rep;
  leaf.slot_definition_level = levels.slot_def;
  leaf.repeated_definition_levels = repeated_definitions_;
  leaf.path = path_;
  leaf.nested = path_.size() > 1 || levels.rep > 0;
  SchemaElement named = el_[i];
  named.name = leaf.field.name;
  GAGGLE_RETURN_IF_ERROR(MapLeaf(named, &leaf));
  LevelNode n;
  n.kind = LevelNode::Kind::kLeaf;
  n.type = leaf.field.type;
  n.slot_def = levels.slot_def;
  n.valid_def = levels.valid_def;
  n.rep = levels.rep;
  n.leaf = out_.leaves.size() - field_first_leaf_;
  out_.leaves.push_back(std::move(leaf));
  return n;
}

Result<LevelNode> SchemaReader::ConvertStruct(size_t i, LevelContext levels) {
  LevelNode n;
  n.kind = LevelNode::Kind::kStruct;
  n.slot_def = levels.slot_def;
  n.valid_def = levels.valid_def;
  n.rep = levels.rep;
  std::vector<Field> fields;
  std::set<std::string> names;
  for (size_t c : children_[i]) {
    if (!names.insert(el_[c].name).second) {
      return Unsupported("the field name '" + el_[c].name + "' appears twice in the group");
    }
    GAGGLE_ASSIGN_OR_RETURN(Converted f, Child(c, levels));
    fields.push_back(Field{el_[c].name, f.node.type, f.nullable});
    n.children.push_back(std::move(f.node));
  }
  n.leaf = n.children[0].leaf;
  n.type = DataType::Struct(std::move(fields));
  return n;
}

Result<LevelNode> SchemaReader::ConvertList(size_t i, LevelContext levels) {
  const SchemaElement& e = el_[i];
  if (children_[i].size() != 1) {
    return Unsupported("LIST group with " + std::to_string(children_[i].size()) + " fields (expected one repeated)");
  }
  const size_t r = children_[i][0];
  const SchemaElement& rep = el_[r];
  if (!rep.repetition_type || *rep.repetition_type != Repetition::kRepeated) {
    return Unsupported("the field '" + rep.name + "' inside the LIST group is not repeated");
  }
  const int16_t repeated = static_cast<int16_t>(levels.valid_def + 1);
  const LevelContext inner{repeated, repeated, static_cast<int16_t>(levels.rep + 1)};
  // LogicalTypes.md, backward compatibility: the repeated field is itself the element when it is
  // a primitive, a group of several fields, or a one-field group named "array" or "<name>_tuple".
  const size_t fields = children_[r].size();
  const bool legacy = rep.type || fields > 1 || (fields == 1 && (rep.name == "array" || rep.name == e.name + "_tuple"));
  path_.push_back(rep.name);
  repeated_definitions_.push_back(repeated);
  Result<Converted> element = Converted{};
  if (legacy) {
    Result<LevelNode> node = ConvertType(r, inner);
    element = node.ok() ? Result<Converted>(Converted{std::move(node).value(), false}) : node.status();
  } else {
    element = Child(children_[r][0], inner);
  }
  repeated_definitions_.pop_back();
  path_.pop_back();
  if (!element.ok()) return element.status();
  LevelNode n;
  n.kind = LevelNode::Kind::kList;
  n.type = DataType::List(element->node.type, element->nullable);
  n.slot_def = levels.slot_def;
  n.valid_def = levels.valid_def;
  n.rep = levels.rep;
  n.leaf = element->node.leaf;
  n.children.push_back(std::move(element->node));
  return n;
}

Result<LevelNode> SchemaReader::ConvertMap(size_t i, LevelContext levels) {
  if (children_[i].size() != 1) {
    return Unsupported("MAP group with " + std::to_string(children_[i].size()) + " fields (expected one repeated)");
  }
  const size_t kv = children_[i][0];
  const SchemaElement& group = el_[kv];
  if (!group.repetition_type || *group.repetition_type != Repetition::kRepeated || group.type) {
    return Unsupported("the field '" + group.name + "' inside the MAP group is not a repeated group");
  }
  const std::vector<size_t>& kids = children_[kv];
  if (kids.empty() || kids.size() > 2) {
    return Unsupported("MAP key_value group with " + std::to_string(kids.size()) + " fields (expected key and value)");
  }
  const int16_t repeated = static_cast<int16_t>(levels.valid_def + 1);
  const LevelContext inner{repeated, repeated, static_cast<int16_t>(levels.rep + 1)};
  path_.push_back(group.name);
  repeated_definitions_.push_back(repeated);
  Result<Converted> key = Child(kids[0], inner);
  Result<Converted> value = kids.size() == 2 ? Child(kids[1], inner) : Result<Converted>(Converted{});
  repeated_definitions_.pop_back();
  path_.pop_back();
  if (!key.ok()) return key.status();
  if (!value.ok()) return value.status();
  LevelNode n;
  n.kind = LevelNode::Kind::kList;
  n.slot_def = levels.slot_def;
  n.valid_def = levels.valid_def;
  n.rep = levels.rep;
  n.leaf = key->node.leaf;
  if (kids.size() == 1) {  // no value: the map is a set of keys, read as a list of them
    n.type = DataType::List(key->node.type, false);
    n.children.push_back(std::move(key->node));
    return n;
  }
  n.type = DataType::Map(key->node.type, value->node.type, value->nullable);
  LevelNode entries;
  entries.kind = LevelNode::Kind::kStruct;
  entries.type = n.type.map_entries().type;
  entries.slot_def = repeated;
  entries.valid_def = repeated;
  entries.rep = inner.rep;
  entries.leaf = key->node.leaf;
  entries.children.push_back(std::move(key->node));
  entries.children.push_back(std::move(value->node));
  n.children.push_back(std::move(entries));
  return n;
}

Status AppendElements(const std::string& name, const DataType& type, Repetition repetition,
                      std::vector<SchemaElement>* out) {
  auto group = [&](const std::string& n, Repetition r, size_t children) -> SchemaElement& {
    SchemaElement& g = out->emplace_back();
    g.name = n;
    g.repetition_type = r;
    g.num_children = static_cast<int32_t>(children);
    return g;
  };
  auto rep = [](bool nullable) { return nullable ? Repetition::kOptional : Repetition::kRequired; };
  switch (type.id) {
    case TypeId::kStruct: {
      if (type.num_children() == 0) {
        return Status::InvalidArgument("Parquet column '" + name + "': a struct without fields has no Parquet form");
      }
      group(name, repetition, type.num_children());
      for (size_t c = 0; c < type.num_children(); ++c) {
        const Field& f = type.child(c);
        GAGGLE_RETURN_IF_ERROR(AppendElements(f.name, f.type, rep(f.nullable), out));
      }
      return Status::OK();
    }
    case TypeId::kList: {
      SchemaElement& g = group(name, repetition, 1);
      g.converted_type = ConvertedType::kList;
      g.logical_type = LogicalType{K::kList};
      group("list", Repetition::kRepeated, 1);
      const Field& element = type.list_element();
      return AppendElements("element", element.type, rep(element.nullable), out);
    }
    case TypeId::kMap: {
      SchemaElement& g = group(name, repetition, 1);
      g.converted_type = ConvertedType::kMap;
      g.logical_type = LogicalType{K::kMap};
      group("key_value", Repetition::kRepeated, 2);
      GAGGLE_RETURN_IF_ERROR(AppendElements("key", type.map_key().type, Repetition::kRequired, out));
      return AppendElements("value", type.map_value().type, rep(type.map_value().nullable), out);
    }
    default: {
      SchemaElement e;
      GAGGLE_RETURN_IF_ERROR(LeafSchemaElement(Field{name, type, repetition == Repetition::kOptional}, &e));
      e.repetition_type = repetition;
      out->push_back(std::move(e));
      return Status::OK();
    }
  }
}

}  // namespace

Result<ParquetSchema> FromParquetSchema(const std::vector<SchemaElement>& elements) {
  return SchemaReader(elements).Read();
}

Status AppendNestedSchemaElements(const Field& f, std::vector<SchemaElement>* out) {
  if (f.type.depth() > kMaxTypeDepth) {
    return Status::InvalidArgument("Parquet column '" + f.name + "': nested deeper than " +
                                   std::to_string(kMaxTypeDepth) + " levels");
  }
  return AppendElements(f.name, f.type, f.nullable ? Repetition::kOptional : Repetition::kRequired, out);
}

}  // namespace gaggle::parquet
