// ReportPlanColumns: the per-dataset column report of a plan (column_report.h).
#include "plan/column_report.h"

#include <map>
#include <unordered_map>

#include "columnar/schema.h"
#include "transform/column_policy.h"

namespace gaggle {
namespace {

// Warnings name at most this many datasets; the JSON plan lists every one.
constexpr size_t kMaxNamed = 5;

std::string Named(const std::vector<std::string>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < kMaxNamed; ++i) s += (i ? ", " : "") + ids[i];
  if (ids.size() > kMaxNamed) s += " and " + std::to_string(ids.size() - kMaxNamed) + " more";
  return s;
}

}  // namespace

void ReportPlanColumns(const Catalog& catalog, const TransformSpec& transform, Plan* plan) {
  if (transform.rename.empty() && transform.cast.empty() && transform.drop.empty()) return;
  const bool skip = transform.missing_columns == TransformSpec::MissingColumns::kSkip;
  // Many datasets share one schema: plan each schema text once.
  std::unordered_map<std::string, std::optional<DatasetColumnPlan>> by_schema;
  // Entry -> datasets, entries in the order first seen (spec order within a dataset).
  std::vector<std::pair<std::string, std::vector<std::string>>> missing_by_entry;
  std::map<std::string, size_t> entry_index;
  size_t unknown = 0;
  for (PlanRow& r : plan->rows) {
    auto node = catalog.Find(r.dataset_id);
    const std::string text = node ? catalog.entity(*node).schema : "";
    auto it = by_schema.find(text);
    if (it == by_schema.end()) {
      std::optional<DatasetColumnPlan> p;
      if (auto schema = ParseSchemaText(text); schema.ok() && schema->num_fields() > 0) {
        p = PlanDatasetColumns(transform, *schema);
      }
      it = by_schema.emplace(text, std::move(p)).first;
    }
    if (!it->second) {
      ++unknown;
      continue;
    }
    r.columns_known = true;
    r.renames = it->second->renames;
    r.missing = it->second->missing;
    r.missing_skipped = skip;
    for (const std::string& m : r.missing) {
      auto [at, added] = entry_index.emplace(m, missing_by_entry.size());
      if (added) missing_by_entry.emplace_back(m, std::vector<std::string>{});
      missing_by_entry[at->second].second.push_back(r.dataset_id);
    }
  }
  for (const auto& [entry, ids] : missing_by_entry) {
    if (skip) {
      plan->warnings.push_back(entry + " is skipped on " + std::to_string(ids.size()) +
                               " dataset(s) without its column (transform.missing_columns: skip): " + Named(ids));
    } else {
      plan->warnings.push_back(entry + " names a column that " + std::to_string(ids.size()) +
                               " dataset(s) lack, so they will fail: " + Named(ids) +
                               " (transform.missing_columns: skip applies it only where the column exists)");
    }
  }
  if (unknown > 0 && unknown < plan->rows.size()) {
    plan->warnings.push_back(std::to_string(unknown) +
                             " dataset(s) declare no schema in the catalog: which renames apply to them is decided "
                             "when they run");
  }
}

}  // namespace gaggle
