#include "verify/rewrite_rules.h"

#include "verify/sql_identifier.h"

namespace gaggle {

std::vector<std::string> SplitDatasetId(const std::string& id) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = id.find('.', start);
    parts.push_back(id.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

Status ValidateRewriteRules(const RewriteRules& rules) {
  auto check_name = [](const std::string& what, const std::string& name) -> Status {
    for (const std::string& part : SplitDatasetId(name)) {
      if (part.empty()) return Status::InvalidArgument("rules: " + what + " '" + name + "' has an empty name part");
    }
    return Status::OK();
  };
  for (const auto& [id, change] : rules.migrated) {
    GAGGLE_RETURN_IF_ERROR(check_name("dataset id", id));
    GAGGLE_RETURN_IF_ERROR(check_name("new table of " + id, change.new_table));
    if (rules.other_tables.count(id)) {
      return Status::InvalidArgument("rules: dataset " + id + " is both migrated and in other_tables");
    }
    std::set<std::string> old_names(change.columns.begin(), change.columns.end());
    if (old_names.size() != change.columns.size()) {
      return Status::InvalidArgument("rules: dataset " + id + " lists a column twice");
    }
    for (const auto& [from, to] : change.renamed) {
      if (!old_names.count(from)) return Status::InvalidArgument("rules: " + id + " renames unknown column " + from);
      if (to.empty()) return Status::InvalidArgument("rules: " + id + " renames " + from + " to an empty name");
      if (change.dropped.count(from)) {
        return Status::InvalidArgument("rules: " + id + " both renames and drops column " + from);
      }
    }
    std::set<std::string> new_names;
    for (const std::string& c : change.columns) {
      if (change.dropped.count(c)) continue;
      auto r = change.renamed.find(c);
      const std::string name = AsciiLower(r == change.renamed.end() ? c : r->second);
      if (!new_names.insert(name).second) {
        return Status::InvalidArgument("rules: " + id + " has two columns named " + name + " after the migration");
      }
    }
    for (const std::string& d : change.dropped) {
      if (!old_names.count(d)) return Status::InvalidArgument("rules: " + id + " drops unknown column " + d);
    }
  }
  for (const auto& [id, cols] : rules.other_tables) GAGGLE_RETURN_IF_ERROR(check_name("dataset id", id));
  return Status::OK();
}

}  // namespace gaggle
