#include "verify/verification_report.h"

namespace gaggle {

const char* OutcomeName(QueryCheck::Outcome outcome) {
  switch (outcome) {
    case QueryCheck::Outcome::kMatched: return "matched";
    case QueryCheck::Outcome::kMismatched: return "mismatched";
    case QueryCheck::Outcome::kRefused: return "refused";
    case QueryCheck::Outcome::kError: return "error";
  }
  return "unknown";
}

int64_t VerificationReport::Count(QueryCheck::Outcome outcome) const {
  int64_t n = 0;
  for (const QueryCheck& c : checks) n += c.outcome == outcome;
  return n;
}

bool VerificationReport::passed() const {
  return schema_changes.empty() && Count(QueryCheck::Outcome::kMatched) == static_cast<int64_t>(checks.size());
}

std::string VerificationReport::Summary() const {
  std::string changes;
  for (const std::string& c : schema_changes) changes += "; undeclared schema change: " + c;
  return QuerySummary() + changes;
}

std::string VerificationReport::QuerySummary() const {
  if (checks.empty()) {
    return candidates == 0 ? "no consumer query reads a migrated dataset: nothing to verify"
                           : "no query sampled (of " + std::to_string(candidates) + ")";
  }
  std::string s = std::to_string(checks.size()) + " of " + std::to_string(candidates) +
                  " consumer queries verified: " + std::to_string(Count(QueryCheck::Outcome::kMatched)) +
                  " same answer";
  const std::pair<QueryCheck::Outcome, const char*> kinds[] = {{QueryCheck::Outcome::kMismatched, "different"},
                                                               {QueryCheck::Outcome::kRefused, "cannot be rewritten"},
                                                               {QueryCheck::Outcome::kError, "could not run"}};
  for (const auto& [outcome, words] : kinds) {
    const int64_t n = Count(outcome);
    if (n == 0) continue;
    s += ", " + std::to_string(n) + " " + words + " (";
    int shown = 0;
    for (const QueryCheck& c : checks) {
      if (c.outcome != outcome) continue;
      if (shown == 3) {
        s += ", ...";
        break;
      }
      s += (shown++ ? ", " : "") + c.consumer + " #" + std::to_string(c.query_index + 1);
    }
    s += ")";
  }
  return s;
}

nlohmann::json VerificationReport::ToJson() const {
  nlohmann::json j;
  j["migration"] = migration;
  j["time"] = time;
  j["seed"] = seed;
  j["candidates"] = candidates;
  j["sampled"] = checks.size();
  j["matched"] = Count(QueryCheck::Outcome::kMatched);
  j["mismatched"] = Count(QueryCheck::Outcome::kMismatched);
  j["refused"] = Count(QueryCheck::Outcome::kRefused);
  j["errors"] = Count(QueryCheck::Outcome::kError);
  j["passed"] = passed();
  j["summary"] = Summary();
  j["seconds"] = seconds;
  j["schema_changes"] = schema_changes;
  j["checks"] = nlohmann::json::array();
  for (const QueryCheck& c : checks) {
    j["checks"].push_back({{"consumer", c.consumer},
                           {"owner", c.owner},
                           {"query", c.query_index + 1},
                           {"outcome", OutcomeName(c.outcome)},
                           {"reason", c.reason},
                           {"datasets", c.datasets},
                           {"original", c.original},
                           {"rewritten", c.rewritten},
                           {"rows_old", c.rows_old},
                           {"rows_new", c.rows_new},
                           {"old_rows_excluded", c.old_rows_excluded},
                           {"examples_old", c.examples_old},
                           {"examples_new", c.examples_new},
                           {"seconds", c.seconds}});
  }
  j["patches"] = nlohmann::json::array();
  for (const ConsumerPatch& p : patches) {
    j["patches"].push_back({{"consumer", p.consumer},
                            {"owner", p.owner},
                            {"datasets", p.datasets},
                            {"queries", p.queries},
                            {"rewritten", p.rewritten},
                            {"refused", p.refused},
                            {"file", p.file},
                            {"repo_root", p.repo_root},
                            {"files_note", p.files_note},
                            {"patch", p.patch}});
  }
  return j;
}

}  // namespace gaggle
