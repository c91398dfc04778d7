// TransformKeepsEveryRow and CastNeverFails (row_keeping.h).
#include "transform/row_keeping.h"

#include <map>

#include "transform/column_policy.h"

namespace gaggle {

bool CastNeverFails(const DataType& from, const DataType& to) {
  if (from == to) return true;
  if (from.is_nested() || to.is_nested()) return false;
  if (to.id == TypeId::kString) return true;
  switch (from.id) {
    case TypeId::kInt32: return to.id == TypeId::kInt64 || to.id == TypeId::kFloat || to.id == TypeId::kDouble;
    case TypeId::kInt64:
    case TypeId::kFloat: return to.id == TypeId::kDouble;
    case TypeId::kDecimal:
      return to.id == TypeId::kDouble || (to.id == TypeId::kDecimal && to.scale >= from.scale &&
                                          to.precision - to.scale >= from.precision - from.scale);
    case TypeId::kTimestamp: return to.id == TypeId::kTimestamp;
    default: return false;
  }
}

bool TransformKeepsEveryRow(const TransformSpec& spec, const Schema& source) {
  const DatasetColumnPlan plan = PlanDatasetColumns(spec, source);
  const TransformSpec& t = plan.spec;
  if (t.filter || !t.derive.empty() || !t.required.empty() || !t.nest.empty()) return false;
  if (t.cast.empty()) return true;
  // A cast names a column after the renames: find its source type.
  std::map<std::string, std::string> source_of;
  for (const Field& f : source.fields()) source_of[f.name] = f.name;
  for (const auto& [from, to] : t.rename) source_of.erase(from);
  for (const auto& [from, to] : t.rename) {
    if (source.FindField(from) >= 0) source_of[to] = from;
  }
  for (const auto& [name, type] : t.cast) {
    auto it = source_of.find(name);
    if (it == source_of.end()) return false;  // a nested path or an unknown column: in doubt
    if (!CastNeverFails(source.field(static_cast<size_t>(source.FindField(it->second))).type, type)) return false;
  }
  return true;
}

}  // namespace gaggle
