#include "transform/nested_edit.h"

#include <optional>
#include <set>

#include "transform/cast.h"

namespace gaggle {
namespace {

// Planning state of one struct: what happens to each of its source fields.
struct EditNode {
  DataType type;  // the source struct type
  std::vector<std::string> names;
  std::vector<bool> dropped;
  std::vector<std::optional<DataType>> cast;
  std::vector<std::string> cast_where;
  std::vector<std::unique_ptr<EditNode>> inner;

  explicit EditNode(const DataType& t) : type(t) {
    const size_t n = t.num_children();
    for (size_t i = 0; i < n; ++i) names.push_back(t.child(i).name);
    dropped.assign(n, false);
    cast.resize(n);
    cast_where.resize(n);
    inner.resize(n);
  }
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

class Planner {
 public:
  Planner(const Schema& source, NestedEditPlan* plan) : source_(source), plan_(plan) {
    roots_.resize(source.num_fields());
  }

  // True when `path` is a nested path (then it is consumed: planned, or a problem).
  bool IsNested(const std::string& path) const {
    if (source_.FindField(path) >= 0) return false;
    size_t dot = path.find('.');
    return dot != std::string::npos && source_.FindField(path.substr(0, dot)) >= 0;
  }

  // The struct holding the path's last field, and that field's index; null after a problem.
  EditNode* Resolve(const std::string& path, const std::string& where, int* field) {
    std::vector<std::string> seg = Split(path);
    const int col = source_.FindField(seg[0]);
    const DataType* type = &source_.field(static_cast<size_t>(col)).type;
    std::unique_ptr<EditNode>* slot = &roots_[static_cast<size_t>(col)];
    std::string walked = seg[0];
    for (size_t k = 1; k < seg.size(); ++k) {
      if (type->id != TypeId::kStruct) {
        Problem(StatusCode::kInvalidArgument,
                where + "'" + walked + "' is " + type->ToString() +
                    ": only fields of structs can be addressed by a path (not elements of lists or maps)");
        return nullptr;
      }
      if (!*slot) *slot = std::make_unique<EditNode>(*type);
      EditNode* node = slot->get();
      int found = -1;
      for (size_t i = 0; i < type->num_children(); ++i) {
        if (type->child(i).name == seg[k]) found = static_cast<int>(i);
      }
      if (found < 0) {
        Problem(StatusCode::kSchemaMismatch,
                where + "struct '" + walked + "' (" + type->ToString() + ") has no field '" + seg[k] + "'");
        return nullptr;
      }
      if (k + 1 == seg.size()) {
        *field = found;
        return node;
      }
      walked += "." + seg[k];
      type = &type->child(static_cast<size_t>(found)).type;
      slot = &node->inner[static_cast<size_t>(found)];
    }
    return nullptr;
  }

  void Problem(StatusCode code, std::string what) { plan_->problems.emplace_back(code, std::move(what)); }

  std::shared_ptr<StructEdit> Build(const EditNode& node, const std::string& path) {
    auto edit = std::make_shared<StructEdit>();
    std::vector<Field> fields;
    std::set<std::string> seen;
    for (size_t i = 0; i < node.names.size(); ++i) {
      if (node.dropped[i]) continue;
      const Field& f = node.type.child(i);
      StructEdit::Child c;
      c.source = static_cast<int>(i);
      DataType t = f.type;
      if (node.inner[i]) {
        c.inner = Build(*node.inner[i], path + "." + f.name);
        if (!c.inner) return nullptr;
        t = c.inner->type;
      }
      if (node.cast[i]) {
        if (c.inner) {
          Problem(StatusCode::kInvalidArgument,
                  node.cast_where[i] + "'" + path + "." + f.name + "' is cast and edited inside at once");
          return nullptr;
        }
        Status st = CheckCast(f.type, *node.cast[i]);
        if (!st.ok()) {
          Problem(StatusCode::kTypeError, node.cast_where[i] + "field '" + path + "." + f.name + "': " + st.message());
          return nullptr;
        }
        c.cast = true;
        c.where = node.cast_where[i];
        t = *node.cast[i];
      }
      if (!seen.insert(node.names[i]).second) {
        Problem(StatusCode::kInvalidArgument,
                "transform: struct '" + path + "' would have two fields named '" + node.names[i] + "'");
        return nullptr;
      }
      fields.push_back(Field{node.names[i], std::move(t), f.nullable});
      edit->children.push_back(std::move(c));
    }
    if (fields.empty()) {
      Problem(StatusCode::kInvalidArgument, "transform: struct '" + path + "' would be left without fields");
      return nullptr;
    }
    edit->type = DataType::Struct(std::move(fields));
    return edit;
  }

  void Finish() {
    plan_->edits.resize(source_.num_fields());
    std::vector<Field> fields = source_.fields();
    for (size_t i = 0; i < roots_.size(); ++i) {
      if (!roots_[i]) continue;
      std::shared_ptr<StructEdit> e = Build(*roots_[i], fields[i].name);
      if (!e) continue;
      fields[i].type = e->type;
      plan_->edits[i] = std::move(e);
    }
    plan_->schema = Schema(std::move(fields));
  }

 private:
  const Schema& source_;
  NestedEditPlan* plan_;
  std::vector<std::unique_ptr<EditNode>> roots_;
};

}  // namespace

NestedEditPlan PlanNestedEdits(const TransformSpec& spec, const Schema& source) {
  NestedEditPlan plan;
  plan.spec = spec;
  plan.spec.rename.clear();
  plan.spec.cast.clear();
  plan.spec.drop.clear();
  Planner p(source, &plan);
  int field = -1;
  for (const auto& [from, to] : spec.rename) {
    if (!p.IsNested(from)) {
      plan.spec.rename.emplace_back(from, to);
      continue;
    }
    const std::string where = spec.Where("transform.rename." + from);
    EditNode* node = p.Resolve(from, where, &field);
    if (node == nullptr) continue;
    // The new name is the field's own ("platform") or its whole path ("device.platform").
    std::string name = to;
    const std::string prefix = from.substr(0, from.rfind('.') + 1);
    if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
    if (name.empty() || name.find('.') != std::string::npos) {
      p.Problem(StatusCode::kInvalidArgument, where + "'" + from + "' can be renamed only within its struct ('" +
                                                  prefix + "NEW' or 'NEW'), not to '" + to + "'");
      continue;
    }
    node->names[static_cast<size_t>(field)] = name;
  }
  for (const auto& [name, type] : spec.cast) {
    if (!p.IsNested(name)) {
      plan.spec.cast.emplace_back(name, type);
      continue;
    }
    const std::string where = spec.Where("transform.cast." + name);
    EditNode* node = p.Resolve(name, where, &field);
    if (node == nullptr) continue;
    node->cast[static_cast<size_t>(field)] = type;
    node->cast_where[static_cast<size_t>(field)] = where;
  }
  for (size_t k = 0; k < spec.drop.size(); ++k) {
    const std::string& name = spec.drop[k];
    if (!p.IsNested(name)) {
      plan.spec.drop.push_back(name);
      continue;
    }
    EditNode* node = p.Resolve(name, spec.Where("transform.drop[" + std::to_string(k) + "]"), &field);
    if (node != nullptr) node->dropped[static_cast<size_t>(field)] = true;
  }
  p.Finish();
  return plan;
}

Result<Column> ApplyNestedEdit(const Column& in, const StructEdit& edit, std::vector<RowError>* errors) {
  Column out(edit.type);
  const size_t n = in.size();
  for (size_t j = 0; j < edit.children.size(); ++j) {
    const StructEdit::Child& c = edit.children[j];
    const Column& src = in.child(static_cast<size_t>(c.source));
    Column child;
    if (c.inner) {
      GAGGLE_ASSIGN_OR_RETURN(child, ApplyNestedEdit(src, *c.inner, errors));
    } else if (c.cast) {
      std::vector<RowError> cast_errors;
      GAGGLE_ASSIGN_OR_RETURN(child, CastColumn(src, edit.type.child(j).type, &cast_errors));
      for (RowError& e : cast_errors) {
        // A null struct holds a placeholder underneath: its field's failure is no row's.
        if (in.IsNull(e.row)) continue;
        errors->push_back({e.row, c.where + e.reason});
      }
    } else {
      child = Column(edit.type.child(j).type);
      child.AppendRange(src, 0, n);
    }
    out.child(j) = std::move(child);
  }
  for (size_t r = 0; r < n; ++r) out.CommitStruct();
  for (size_t r = 0; r < n; ++r) {
    if (in.IsNull(r)) out.SetNull(r);
  }
  return out;
}

}  // namespace gaggle
