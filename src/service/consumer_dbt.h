// ConsumerDbt: a consumer that is a dbt project (annotation gaggle.dev/dbt-project), made
// ready for its repository's branch (service/consumer_branch.h): the project is read from
// the checkout's working tree (the branch refuses files that differ from the base), each
// source table mapped to a catalog dataset (verify/dbt_project.h: meta.gaggle_dataset or
// by name), and the whole project rewritten and checked model by model on the old and new
// data (verify/dbt_verifier.h). The consumer's files are its models; their rewrite is the
// checked one, and the evidence is each model's check.
// Errors: NotFound (no project there), InvalidArgument (a project folder that leaves the
// repository), and the project's own errors, with the consumer's id.
// Thread-safety: see service_context.h.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "service/consumer_branch.h"
#include "service/consumer_pr_description.h"
#include "service/git_checkout.h"
#include "spec/migration_spec.h"
#include "verify/consumer_rules.h"

namespace gaggle::service {

struct DbtConsumer {
  ConsumerFiles files;
  ConsumerEvidence evidence;
  std::string summary;  // DbtVerification::Summary
};

Result<DbtConsumer> PrepareDbtConsumer(const GitCheckout& repo, const std::string& project_dir, NodeId consumer,
                                       const Catalog& catalog, const MigrationSpec& spec, ConsumerRules* rules);

}  // namespace gaggle::service
