#include "service/consumer_pr_description.h"

#include <nlohmann/json.hpp>

namespace gaggle {
namespace {

// `text` inside a markdown table cell: one line, pipes escaped, at most `max` bytes.
std::string Cell(std::string text, size_t max = 160) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

// A fenced block that no line of `text` can close.
std::string Fenced(const std::string& lang, const std::string& text) {
  std::string fence = "```";
  while (text.find(fence) != std::string::npos) fence += '`';
  return fence + lang + "\n" + text + (text.empty() || text.back() != '\n' ? "\n" : "") + fence + "\n";
}

const ConsumerEvidence* EvidenceOf(const BranchEvidence& e, const std::string& consumer) {
  for (const ConsumerEvidence& c : e.consumers) {
    if (c.consumer == consumer) return &c;
  }
  return nullptr;
}

// What the verification says of one statement of a file.
std::string Verdict(const SqlFileStatement& s, const ConsumerEvidence* ev, std::string* rows_old,
                    std::string* rows_new) {
  *rows_old = *rows_new = "";
  if (!s.refused.empty()) return "**not rewritten**: " + s.refused;
  const std::string key = SqlStatementKey(s.original);
  const QueryCheck* check = nullptr;
  bool in_catalog = false;
  if (ev) {
    for (const QueryCheck& c : ev->checks) {
      if (SqlStatementKey(c.original) == key) check = &c;
    }
    for (const std::string& q : ev->catalog_queries) in_catalog |= SqlStatementKey(q) == key;
  }
  if (!check) {
    return in_catalog ? "not verified (outside the verification sample)"
                      : "not verified (not among the catalog's queries of this consumer)";
  }
  *rows_old = std::to_string(check->rows_old);
  *rows_new = std::to_string(check->rows_new);
  std::string verdict;
  switch (check->outcome) {
    case QueryCheck::Outcome::kMatched: verdict = "same answer"; break;
    case QueryCheck::Outcome::kMismatched: verdict = "**different answer**"; break;
    case QueryCheck::Outcome::kRefused: verdict = "**refused by the verifier**"; break;
    case QueryCheck::Outcome::kError: verdict = "**could not run**"; break;
  }
  if (!check->reason.empty()) verdict += ": " + check->reason;
  if (!check->rewritten.empty() && SqlStatementKey(check->rewritten) != SqlStatementKey(s.rewritten)) {
    verdict += " (**the verified rewrite differs from this one**)";
  }
  return verdict;
}

std::string ConsumerSection(const ConsumerCommit& c, const ConsumerEvidence* ev) {
  std::string out = "\n## " + c.consumer + "\n\n";
  if (ev && !ev->owner.empty()) out += "Owner: " + ev->owner + ". ";
  if (ev && !ev->datasets.empty()) {
    out += "Reads the migrated dataset" + std::string(ev->datasets.size() > 1 ? "s" : "");
    for (size_t i = 0; i < ev->datasets.size(); ++i) out += (i ? ", `" : " `") + ev->datasets[i] + "`";
    out += ". ";
  }
  if (ev && !ev->propagated_from.empty()) {
    out += "Follows the renamed outputs of";
    for (size_t i = 0; i < ev->propagated_from.size(); ++i) out += (i ? ", " : " ") + ev->propagated_from[i];
    out += " (the rename propagates: `verify.output_names: propagate`). ";
  }
  out += c.commit.empty() ? "No change needed.\n" : "Commit " + c.commit.substr(0, 12) + ".\n";
  if (ev && !ev->note.empty()) out += "\n" + ev->note + "\n";
  out += "\n| file:line | change | verification | rows (old) | rows (new) |\n|---|---|---|---|---|\n";
  std::string queries;
  for (const ConsumerFileChange& f : c.files) {
    for (const SqlFileStatement& s : f.rewrite.statements) {
      std::string rows_old, rows_new;
      const std::string verdict = Verdict(s, ev, &rows_old, &rows_new);
      const std::string where = f.path + ":" + std::to_string(s.span.line);
      const std::string change = !s.refused.empty() ? "refused" : s.changed ? "rewritten" : "unchanged";
      out += "| `" + Cell(where) + "` | " + change + " | " + Cell(verdict, 400) + " | " + rows_old + " | " + rows_new +
             " |\n";
      if (!s.changed) continue;
      queries +=
          "\n`" + where + "` before:\n\n" + Fenced("sql", s.original) + "\nafter:\n\n" + Fenced("sql", s.rewritten);
    }
  }
  if (!queries.empty()) out += "\n<details><summary>Queries before and after</summary>\n" + queries + "\n</details>\n";
  return out;
}

}  // namespace

std::string RenderPrDescription(const ConsumerBranchResult& branch, const BranchEvidence& evidence) {
  std::string out = "# gaggle: consumer queries for migration `" + evidence.migration + "`\n\n";
  out += "This branch (`" + branch.branch + "`, on " + branch.base.substr(0, 12) + ") rewrites the SQL of " +
         std::to_string(branch.Commits()) + " consumer" + (branch.Commits() == 1 ? "" : "s") +
         " for the new schema, one commit per consumer. Only table names and renamed columns change; comments " +
         (evidence.propagated
              ? std::string("and layout stay as they were. Renamed columns are output under their new names "
                            "(`verify.output_names: propagate`): the consumers that read a changed output follow "
                            "the rename and are on this branch too.\n")
              : std::string("layout and output column names stay as they were (a renamed column is output under its "
                            "old name).\n"));
  out += "\n## Verification\n\n";
  if (!evidence.verified) {
    out += "**No downstream verification of this migration is on record**: run `gaggle verify " + evidence.migration +
           "` before merging.\n";
  } else {
    out += std::string(evidence.passed ? "Passed" : "**Failed**") + " (" + evidence.time + "): " + evidence.summary +
           ".\n\nEach verified query ran twice in DuckDB: the original on the old data and the rewritten one on the "
           "new data. The two answers were compared as multisets of rows (numbers by value, reals within the "
           "spec's tolerance; row order ignored). Rows (old) and rows (new) are the sizes of the two answers.\n";
  }
  for (const ConsumerCommit& c : branch.consumers) out += ConsumerSection(c, EvidenceOf(evidence, c.consumer));
  out += "\n---\nMade by `gaggle consumers patch " + evidence.migration + "`.\n";
  return out;
}

std::vector<QueryCheck> ChecksFromReportJson(const std::string& report_json, const std::string& consumer) {
  std::vector<QueryCheck> out;
  const nlohmann::json j = nlohmann::json::parse(report_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("checks") || !j["checks"].is_array()) return out;
  for (const nlohmann::json& c : j["checks"]) {
    if (!c.is_object() || !c.contains("consumer") || c["consumer"] != consumer) continue;
    try {
      QueryCheck q;
      q.consumer = consumer;
      q.owner = c.value("owner", "");
      q.query_index = c.value("query", 1) - 1;
      q.original = c.value("original", "");
      q.rewritten = c.value("rewritten", "");
      q.reason = c.value("reason", "");
      q.rows_old = c.value("rows_old", int64_t{0});
      q.rows_new = c.value("rows_new", int64_t{0});
      const std::string outcome = c.value("outcome", "");
      q.outcome = outcome == "matched"      ? QueryCheck::Outcome::kMatched
                  : outcome == "mismatched" ? QueryCheck::Outcome::kMismatched
                  : outcome == "refused"    ? QueryCheck::Outcome::kRefused
                                            : QueryCheck::Outcome::kError;
      out.push_back(std::move(q));
    } catch (const nlohmann::json::exception&) {
      continue;  // a field of the wrong type: that check is not evidence
    }
  }
  return out;
}

}  // namespace gaggle
