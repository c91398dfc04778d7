// ConsumerPrDescription: the pull-request text (markdown) for a consumer branch
// (service/consumer_branch.h) with the verification evidence behind each change: per
// consumer, per statement of its files, what changed and what the last downstream
// verification found for that query — the original on the old data and the rewrite on
// the new data, their row counts, and whether the answers were the same. A statement is
// matched with a verified query by its meaningful tokens (SqlStatementKey), so comments
// and layout in the file do not matter; a statement the verification did not run is
// said to be unverified, never presented as verified. Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "service/consumer_branch.h"
#include "verify/verification_report.h"

namespace gaggle {

struct ConsumerEvidence {
  std::string consumer;
  std::string owner;
  std::vector<std::string> datasets;  // migrated datasets it reads
  // Consumers it reads whose output columns the rename changes (verify.output_names:
  // propagate), each with its renames: "`stg_orders` (`order_date` -> `ordered_on`)".
  std::vector<std::string> propagated_from;
  std::vector<std::string> catalog_queries;  // its queries as the catalog holds them
  std::vector<QueryCheck> checks;            // its queries in the last verification's sample
  std::string note;  // where its checks come from when not the last verification (a dbt project)
};

struct BranchEvidence {
  std::string migration;
  bool verified = false;  // a verification record exists
  bool passed = false;
  std::string time;
  std::string summary;
  bool propagated = false;                  // verify.output_names: propagate (renamed outputs keep their new names)
  std::vector<ConsumerEvidence> consumers;  // by consumer id; consumers not listed have none
};

std::string RenderPrDescription(const ConsumerBranchResult& branch, const BranchEvidence& evidence);

// The checks of a VerificationReport's JSON (VerificationReport::ToJson) for `consumer`;
// fields it lacks are left at their defaults.
std::vector<QueryCheck> ChecksFromReportJson(const std::string& report_json, const std::string& consumer);

}  // namespace gaggle
