// PlanDatasetColumns: the per-dataset entries of a spec under its missing_columns policy.
#include "transform/column_policy.h"

#include <set>

namespace gaggle {
namespace {

// A dotted path of source names through struct columns ("device.os"). A path that reaches
// a list or map counts as present: Make reports why it cannot be edited.
bool NestedPathExists(const Schema& source, const std::string& path) {
  size_t dot = path.find('.');
  if (dot == std::string::npos) return false;
  const int top = source.FindField(path.substr(0, dot));
  if (top < 0) return false;
  const DataType* type = &source.field(static_cast<size_t>(top)).type;
  while (dot != std::string::npos) {
    const size_t next = path.find('.', dot + 1);
    const std::string name = path.substr(dot + 1, next == std::string::npos ? std::string::npos : next - dot - 1);
    if (type->id != TypeId::kStruct) return type->is_nested();
    const DataType* found = nullptr;
    for (size_t i = 0; i < type->num_children(); ++i) {
      if (type->child(i).name == name) found = &type->child(i).type;
    }
    if (found == nullptr) return false;
    type = found;
    dot = next;
  }
  return true;
}

}  // namespace

const char* MissingColumnsName(TransformSpec::MissingColumns policy) {
  return policy == TransformSpec::MissingColumns::kSkip ? "skip" : "fail";
}

DatasetColumnPlan PlanDatasetColumns(const TransformSpec& spec, const Schema& source) {
  const bool skip = spec.missing_columns == TransformSpec::MissingColumns::kSkip;
  DatasetColumnPlan out;
  out.spec = spec;
  out.spec.missing_columns = TransformSpec::MissingColumns::kFail;
  out.spec.rename.clear();
  out.spec.cast.clear();
  out.spec.drop.clear();
  out.skipped = skip;
  std::set<std::string> names;  // top-level names after the renames that apply
  for (const Field& f : source.fields()) names.insert(f.name);
  std::set<std::string> renamed_from;
  for (const auto& [from, to] : spec.rename) {
    const bool present = source.FindField(from) >= 0 || NestedPathExists(source, from);
    if (!present) out.missing.push_back("transform.rename." + from);
    if (!present && skip) continue;
    out.spec.rename.emplace_back(from, to);
    out.renames.emplace_back(from, to);
    if (source.FindField(from) >= 0) renamed_from.insert(from);
  }
  // Renames are simultaneous: take every old name out before putting the new ones in.
  for (const std::string& from : renamed_from) names.erase(from);
  for (const auto& [from, to] : out.spec.rename) {
    if (renamed_from.count(from)) names.insert(to);
  }
  auto present_after = [&](const std::string& name) { return names.count(name) || NestedPathExists(source, name); };
  for (const auto& [name, type] : spec.cast) {
    const bool present = present_after(name);
    if (!present) out.missing.push_back("transform.cast." + name);
    if (present || !skip) out.spec.cast.emplace_back(name, type);
  }
  for (const std::string& name : spec.drop) {
    const bool present = present_after(name);
    if (!present) out.missing.push_back("transform.drop." + name);
    if (present || !skip) out.spec.drop.push_back(name);
  }
  return out;
}

}  // namespace gaggle
