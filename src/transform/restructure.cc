#include "transform/restructure.h"

#include <map>
#include <set>

#include "common/suggest.h"
#include "transform/nested_access.h"

namespace gaggle {
namespace {

// The fields left out of one struct, and the edits inside the ones kept.
struct DropNode {
  std::set<int> dropped;
  std::map<int, std::unique_ptr<DropNode>> inner;
};

std::shared_ptr<StructEdit> BuildDropEdit(const DataType& type, const DropNode& node) {
  auto edit = std::make_shared<StructEdit>();
  std::vector<Field> fields;
  for (size_t i = 0; i < type.num_children(); ++i) {
    const int k = static_cast<int>(i);
    if (node.dropped.count(k)) continue;
    StructEdit::Child c;
    c.source = k;
    Field f = type.child(i);
    auto in = node.inner.find(k);
    if (in != node.inner.end() && f.type.id == TypeId::kStruct) {
      c.inner = BuildDropEdit(f.type, *in->second);
      f.type = c.inner->type;
    }
    fields.push_back(std::move(f));
    edit->children.push_back(std::move(c));
  }
  edit->type = DataType::Struct(std::move(fields));
  return edit;
}

std::vector<std::string> Names(const Schema& s) {
  std::vector<std::string> out;
  for (const Field& f : s.fields()) out.push_back(f.name);
  return out;
}

}  // namespace

std::vector<std::shared_ptr<const StructEdit>> PlanFieldDrops(const std::vector<std::string>& paths,
                                                              const Schema& source, const Schema& edited) {
  std::vector<std::unique_ptr<DropNode>> roots(source.num_fields());
  for (const std::string& path : paths) {
    size_t dot = path.find('.');
    const int col = source.FindField(path.substr(0, dot));
    if (col < 0 || dot == std::string::npos) continue;
    const DataType* type = &source.field(static_cast<size_t>(col)).type;
    std::unique_ptr<DropNode>* slot = &roots[static_cast<size_t>(col)];
    while (dot != std::string::npos && type->id == TypeId::kStruct) {
      const size_t next = path.find('.', dot + 1);
      const std::string name = path.substr(dot + 1, next == std::string::npos ? std::string::npos : next - dot - 1);
      int field = -1;
      for (size_t i = 0; i < type->num_children(); ++i) {
        if (type->child(i).name == name) field = static_cast<int>(i);
      }
      if (field < 0) break;
      if (!*slot) *slot = std::make_unique<DropNode>();
      if (next == std::string::npos) {
        (*slot)->dropped.insert(field);
        break;
      }
      slot = &(*slot)->inner[field];
      type = &type->child(static_cast<size_t>(field)).type;
      dot = next;
    }
  }
  std::vector<std::shared_ptr<const StructEdit>> out(source.num_fields());
  for (size_t i = 0; i < roots.size(); ++i) {
    if (roots[i] && edited.field(i).type.id == TypeId::kStruct) out[i] = BuildDropEdit(edited.field(i).type, *roots[i]);
  }
  return out;
}

std::shared_ptr<const Restructure> Restructure::Make(const TransformSpec& spec, const Schema& in,
                                                     std::vector<std::shared_ptr<const StructEdit>> drops,
                                                     std::vector<std::pair<StatusCode, std::string>>* problems) {
  const size_t before = problems->size();
  auto problem = [&](StatusCode code, const std::string& where, const std::string& what) {
    problems->emplace_back(code, spec.Where(where) + what);
  };
  drops.resize(in.num_fields());
  std::vector<Field> fields = in.fields();  // after the field drops
  for (size_t i = 0; i < fields.size(); ++i) {
    if (drops[i]) fields[i].type = drops[i]->type;
  }
  std::vector<std::string> flat_where(fields.size());  // set: flattened by that entry
  for (size_t k = 0; k < spec.flatten.size(); ++k) {
    const std::string where = "transform.flatten[" + std::to_string(k) + "]";
    const int c = in.FindField(spec.flatten[k]);
    if (c < 0) {
      problem(StatusCode::kSchemaMismatch, where,
              "unknown column '" + spec.flatten[k] + "'" + DidYouMean(spec.flatten[k], Names(in)));
    } else if (fields[static_cast<size_t>(c)].type.id != TypeId::kStruct) {
      problem(StatusCode::kInvalidArgument, where,
              "'" + spec.flatten[k] + "' is " + fields[static_cast<size_t>(c)].type.ToString() +
                  ": only a struct column can be flattened");
    } else if (!flat_where[static_cast<size_t>(c)].empty()) {
      problem(StatusCode::kInvalidArgument, where, "'" + spec.flatten[k] + "' is flattened twice");
    } else {
      flat_where[static_cast<size_t>(c)] = where;
    }
  }
  // nest: column -> (struct name, field name), and the members of each struct, in file order.
  std::vector<int> nested_into(fields.size(), -1);  // index in spec.nest
  std::map<std::string, std::vector<size_t>> members;
  std::set<std::string> targets;
  for (const auto& entry : spec.nest) targets.insert(entry.first.substr(0, entry.first.find('.')));
  for (size_t k = 0; k < spec.nest.size(); ++k) {
    const auto& [to, from] = spec.nest[k];
    const std::string where = "transform.nest." + to;
    const size_t dot = to.find('.');
    const std::string target = to.substr(0, dot), name = dot == std::string::npos ? "" : to.substr(dot + 1);
    const int c = in.FindField(from);
    const int t = in.FindField(target);
    if (name.empty() || name.find('.') != std::string::npos || target.empty()) {
      problem(StatusCode::kInvalidArgument, where, "nest takes STRUCT.FIELD (one level), not '" + to + "'");
    } else if (c < 0) {
      problem(StatusCode::kSchemaMismatch, where, "unknown column '" + from + "'" + DidYouMean(from, Names(in)));
    } else if (nested_into[static_cast<size_t>(c)] >= 0 || !flat_where[static_cast<size_t>(c)].empty()) {
      problem(StatusCode::kInvalidArgument, where, "column '" + from + "' is already nested or flattened");
    } else if (targets.count(from)) {
      problem(StatusCode::kInvalidArgument, where,
              "column '" + from + "' receives nested fields, so it cannot be nested itself (nest in two migrations)");
    } else if (c == t) {
      problem(StatusCode::kInvalidArgument, where, "column '" + from + "' cannot be nested into itself");
    } else if (t >= 0 && (fields[static_cast<size_t>(t)].type.id != TypeId::kStruct ||
                          !flat_where[static_cast<size_t>(t)].empty() || nested_into[static_cast<size_t>(t)] >= 0)) {
      problem(StatusCode::kInvalidArgument, where,
              "'" + target + "' is " + fields[static_cast<size_t>(t)].type.ToString() +
                  (flat_where[static_cast<size_t>(t)].empty() ? "" : ", flattened") +
                  ": a column is nested into a struct column or a new one");
    } else {
      nested_into[static_cast<size_t>(c)] = static_cast<int>(k);
      members[target].push_back(k);
    }
  }
  auto restructure = std::shared_ptr<Restructure>(new Restructure());
  restructure->drops_ = std::move(drops);
  std::vector<Field> out_fields;
  std::vector<std::string> out_where;
  // Appends the members of `target` to `s` (a struct), refusing a field name taken.
  auto add_members = [&](const std::string& target, Field* s, Source* src) {
    std::vector<Field> struct_fields;
    for (size_t i = 0; i < s->type.num_children(); ++i) struct_fields.push_back(s->type.child(i));
    for (size_t k : members[target]) {
      const std::string name = spec.nest[k].first.substr(target.size() + 1);
      for (const Field& f : struct_fields) {
        if (f.name == name) {
          problem(StatusCode::kInvalidArgument, "transform.nest." + spec.nest[k].first,
                  "struct '" + target + "' already has a field '" + name + "'");
        }
      }
      const int c = in.FindField(spec.nest[k].second);
      struct_fields.push_back(
          Field{name, fields[static_cast<size_t>(c)].type, fields[static_cast<size_t>(c)].nullable});
      src->add.emplace_back(c, name);
    }
    s->type = DataType::Struct(std::move(struct_fields));
  };
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (nested_into[i] >= 0) {
      const std::string& to = spec.nest[static_cast<size_t>(nested_into[i])].first;
      const std::string target = to.substr(0, to.find('.'));
      if (in.FindField(target) >= 0 || members[target].front() != static_cast<size_t>(nested_into[i])) continue;
      // The first member of a new struct: the struct stands here.
      Source src{Source::Kind::kNewStruct, static_cast<int>(i), -1, {}};
      Field s{target, DataType::Struct({}), false};
      add_members(target, &s, &src);
      out_fields.push_back(std::move(s));
      out_where.push_back("transform.nest." + to);
      restructure->outputs_.push_back(std::move(src));
    } else if (!flat_where[i].empty()) {
      for (size_t j = 0; j < f.type.num_children(); ++j) {
        const Field& sub = f.type.child(j);
        out_fields.push_back(Field{f.name + "_" + sub.name, sub.type, f.nullable || sub.nullable});
        out_where.push_back(flat_where[i]);
        restructure->outputs_.push_back({Source::Kind::kFlatField, static_cast<int>(i), static_cast<int>(j), {}});
      }
    } else {
      Source src{Source::Kind::kColumn, static_cast<int>(i), -1, {}};
      Field out = f;
      if (members.count(f.name)) add_members(f.name, &out, &src);
      out_fields.push_back(std::move(out));
      out_where.push_back("");
      restructure->outputs_.push_back(std::move(src));
    }
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < out_fields.size(); ++i) {
    auto [it, fresh] = seen.emplace(out_fields[i].name, i);
    if (fresh) continue;
    const std::string& where = out_where[i].empty() ? out_where[it->second] : out_where[i];
    problem(StatusCode::kInvalidArgument, where,
            "the output would have two columns named '" + out_fields[i].name + "' (rename one first)");
  }
  if (problems->size() != before) return nullptr;
  restructure->output_schema_ = std::make_shared<const Schema>(std::move(out_fields));
  return restructure;
}

Status Restructure::Apply(std::vector<Column>* columns, std::vector<RowError>* rejected) const {
  std::vector<Column>& in = *columns;
  const size_t n = in.empty() ? 0 : in[0].size();
  for (size_t i = 0; i < drops_.size(); ++i) {
    if (!drops_[i]) continue;
    std::vector<RowError> none;  // drops cast nothing, so no row fails
    GAGGLE_ASSIGN_OR_RETURN(in[i], ApplyNestedEdit(in[i], *drops_[i], &none));
  }
  std::vector<Column> out;
  out.reserve(outputs_.size());
  for (size_t k = 0; k < outputs_.size(); ++k) {
    const Source& s = outputs_[k];
    const DataType& type = output_schema_->field(k).type;
    if (s.kind == Source::Kind::kFlatField) {
      out.push_back(ExtractField(in[static_cast<size_t>(s.column)], s.field, n));
      continue;
    }
    if (s.add.empty()) {
      out.push_back(std::move(in[static_cast<size_t>(s.column)]));
      continue;
    }
    Column st(type);
    size_t j = 0;
    const Column* base = s.kind == Source::Kind::kColumn ? &in[static_cast<size_t>(s.column)] : nullptr;
    if (base) {
      for (; j < base->num_children(); ++j) st.child(j) = base->child(j);
    }
    for (const auto& [c, name] : s.add) {
      const Column& member = in[static_cast<size_t>(c)];
      if (base && base->may_have_nulls()) {
        for (size_t r = 0; r < n; ++r) {
          if (base->IsNull(r) && member.IsValid(r)) {
            const std::string& target = output_schema_->field(k).name;
            rejected->push_back({r, "transform.nest." + target + "." + name + ": struct '" + target +
                                        "' is null in this row, so its new field '" + name +
                                        "' cannot hold the value"});
          }
        }
      }
      st.child(j++) = member;
    }
    for (size_t r = 0; r < n; ++r) st.CommitStruct();
    if (base && base->may_have_nulls()) {
      for (size_t r = 0; r < n; ++r) {
        if (base->IsNull(r)) st.SetNull(r);
      }
    }
    out.push_back(std::move(st));
  }
  *columns = std::move(out);
  return Status::OK();
}

}  // namespace gaggle
