// Consumer repositories: `gaggle consumers patch M --repo PATH` — the consumers' own SQL
// files, rewritten for migration M's new schema, as a branch of their git repository
// with one commit per consumer (service/consumer_branch.h) and a pull-request text with
// the verification evidence (service/consumer_pr_description.h).
//
// A consumer names its files with the annotation gaggle.dev/queries-path
// (catalog/annotations.h): paths relative to its repository's root, separated by commas
// or newlines; or it is a dbt project (gaggle.dev/dbt-project: its folder), whose models
// are rewritten and checked on the data now (service/consumer_dbt.h). The rewrite rules are the verifier's
// (verify/consumer_rules.h: the migration's validated datasets, their old columns, the spec's renames and drops, the
// new table names), so the branch carries the rewrite the verification checked.
// Consumers: the ones named in the request (each must carry gaggle.dev/queries-path and
// read a migrated dataset), else every consumer that does both and has at least one of
// its files in the repository (the others are listed as skipped, with the reason).
// A derived dataset (a dataset with queries) that names its files is a consumer too. With
// verify.output_names: propagate, consumers are taken in lineage order and a reader of a
// consumer whose output the rename changes follows it (ConsumerRules::RecordOutputs);
// commits follow that order. A dbt project reading such a consumer through source() is
// refused (Unsupported).
// The description is written to description_out, else to
// <artifacts>/<migration>/branches/<branch>.md.
// Thread-safety: see service_context.h; one call per repository at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service/consumer_branch.h"
#include "service/service_context.h"

namespace gaggle::service {

struct ConsumerPatchRequest {
  std::string migration;
  std::string repo;                    // a path inside the consumer repository's checkout
  std::string branch;                  // default: gaggle/<migration>
  bool replace_branch = false;         // replace an existing branch (never one checked out)
  std::vector<std::string> consumers;  // entity ids ("component:billing"); empty: see above
  std::string spec_path;               // default: the spec the run was started with
  std::string description_out;         // default: see above
};

struct ConsumerPatchResult {
  ConsumerBranchResult branch;
  std::vector<std::string> skipped;  // "component:x: why"
  std::string description;           // markdown
  std::string description_file;
  nlohmann::json ToJson() const;
};

Result<ConsumerPatchResult> PatchConsumerRepo(const ServiceContext& ctx, const ConsumerPatchRequest& request);

// The paths of gaggle.dev/queries-path: split on commas and newlines, trimmed, empty ones dropped.
std::vector<std::string> QueriesPaths(const std::string& annotation);

}  // namespace gaggle::service
