// VerificationReport: what one downstream query verification found — per sampled
// query, whether the consumer gets the same answer from the new data, and per
// affected consumer, the patch that rewrites its queries for the new schema.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gaggle {

struct QueryCheck {
  enum class Outcome { kMatched, kMismatched, kRefused, kError };
  std::string consumer;  // entity id ("component:billing")
  std::string owner;
  int query_index = 0;  // position among the consumer's queries
  std::string original;
  std::string rewritten;              // for the consumer (new table names, new columns); "" when refused
  std::vector<std::string> datasets;  // migrated datasets it reads
  Outcome outcome = Outcome::kMatched;
  std::string reason;  // why it is not matched
  int64_t rows_old = 0, rows_new = 0;
  int64_t old_rows_excluded = 0;                        // old rows the migration filters or dead-letters on purpose
  std::vector<std::string> examples_old, examples_new;  // rows without a partner
  double seconds = 0;
};

const char* OutcomeName(QueryCheck::Outcome outcome);  // "matched", "mismatched", "refused", "error"

struct ConsumerPatch {
  std::string consumer;
  std::string owner;
  std::vector<std::string> datasets;  // migrated datasets its queries read
  int queries = 0, rewritten = 0, refused = 0;
  std::string file;   // where the patch was saved ("" until saved)
  std::string patch;  // unified diff of its queries
  // Where `git apply` takes the patch: the consumer's repository root when the patch is of
  // its own files (gaggle.dev/queries-path, verify/consumer_file_patch.h); "" when it is of
  // the synthetic queries file <consumer id>/queries.sql.
  std::string repo_root;
  std::string files_note;  // why a consumer that names its files got the synthetic patch
};

struct VerificationReport {
  std::string migration;
  std::string time;
  int64_t seed = 0;
  int64_t candidates = 0;          // consumer queries that read a migrated dataset
  std::vector<QueryCheck> checks;  // the sample
  std::vector<ConsumerPatch> patches;
  // Changes of meaning the spec does not declare, found by comparing the old and new data's
  // types (a timestamp turned from naive to UTC-adjusted or back): each fails the report.
  std::vector<std::string> schema_changes;
  double seconds = 0;

  int64_t Count(QueryCheck::Outcome outcome) const;
  // Every sampled query gets the same answer (none mismatched, refused or failed) and no
  // undeclared schema change was found.
  bool passed() const;
  // "20 of 80 queries verified: 19 same answer, 1 different (component:billing #2)".
  std::string Summary() const;
  std::string QuerySummary() const;  // Summary without the schema changes
  nlohmann::json ToJson() const;
};

}  // namespace gaggle
