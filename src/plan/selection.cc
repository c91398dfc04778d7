#include "plan/selection.h"

#include <fnmatch.h>

#include <algorithm>

#include "dataset/format_table.h"

namespace gaggle {

bool GlobMatch(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool HasCriteria(const SelectSpec& s) {
  return s.id_pattern.has_value() || s.owner.has_value() || s.format.has_value() || !s.tiers.empty() ||
         !s.labels.empty() || s.schema_version.has_value();
}

bool MatchesCriteria(const Entity& e, const SelectSpec& s) {
  if (!e.is_dataset()) return false;
  if (s.id_pattern && !GlobMatch(*s.id_pattern, e.id)) return false;
  if (s.owner && CanonicalOwner(*s.owner) != CanonicalOwner(e.owner)) return false;
  if (s.format) {
    auto want = ParseFormat(*s.format);
    std::string name = want.ok() ? FormatName(*want) : *s.format;
    if (name != e.format) return false;
  }
  if (!s.tiers.empty()) {
    bool any = false;
    for (const std::string& t : s.tiers) {
      auto tier = ParseTier(t);
      any |= tier.ok() && *tier == e.tier;
    }
    if (!any) return false;
  }
  for (const auto& [k, v] : s.labels) {
    auto it = e.labels.find(k);
    if (it == e.labels.end() || it->second != v) return false;
  }
  if (s.schema_version && *s.schema_version != e.schema_version) return false;
  return true;
}

Result<std::vector<NodeId>> SelectDatasets(const Catalog& catalog, const SelectSpec& select) {
  if (select.ids.empty() && !HasCriteria(select)) {
    return Status::InvalidArgument(
        "select names no dataset: list ids or give a match (match: {id: \"*\"} selects every dataset)");
  }
  for (const std::string& t : select.tiers) {
    if (!ParseTier(t).ok()) return Status::InvalidArgument("select.match.tier: " + ParseTier(t).status().message());
  }
  if (select.format && !ParseFormat(*select.format).ok()) {
    return Status::InvalidArgument("select.match.format: " + ParseFormat(*select.format).status().message());
  }
  std::vector<bool> chosen(catalog.size(), false);
  std::vector<std::string> problems;
  for (const std::string& id : select.ids) {
    auto n = catalog.Find(id);
    if (!n) {
      problems.push_back("'" + id + "' is not in the catalog");
    } else if (!catalog.entity(*n).is_dataset()) {
      problems.push_back("'" + id + "' is a " + EntityKindName(catalog.entity(*n).kind) + ", not a dataset");
    } else {
      chosen[*n] = true;
    }
  }
  if (!problems.empty()) {
    std::string msg = "select.ids:";
    for (const std::string& p : problems) msg += "\n  " + p;
    return Status::NotFound(msg);
  }
  if (HasCriteria(select)) {
    for (NodeId n = 0; n < catalog.size(); ++n) {
      if (!chosen[n] && MatchesCriteria(catalog.entity(n), select)) chosen[n] = true;
    }
  }
  std::vector<NodeId> out;
  for (NodeId n = 0; n < catalog.size(); ++n) {
    if (chosen[n]) out.push_back(n);
  }
  if (out.empty()) return Status::NotFound("the selection matches no dataset in the catalog");
  return out;
}

}  // namespace gaggle
