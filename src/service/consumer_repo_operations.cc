#include "service/consumer_repo_operations.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "catalog/annotations.h"
#include "common/dataset_location.h"
#include "fleet/run_log.h"
#include "service/consumer_dbt.h"
#include "service/consumer_pr_description.h"
#include "service/spec_source.h"
#include "spec/migration_spec.h"
#include "verify/consumer_rules.h"
#include "verify/query_patch.h"

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The migration's validated datasets, old and new data, as the verifier sees them.
Result<std::vector<VerifiedDataset>> MigratedDatasets(const ServiceContext& ctx, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, ctx.store->LoadTasks(migration));
  std::vector<VerifiedDataset> out;
  for (const TaskRecord& t : tasks) {
    if (t.state != TaskState::kValidated) continue;
    VerifiedDataset d;
    d.id = t.dataset_id;
    GAGGLE_ASSIGN_OR_RETURN(d.old_root, LocalPathFromUri(t.source_uri));
    GAGGLE_ASSIGN_OR_RETURN(d.new_root, LocalPathFromUri(t.target_uri));
    out.push_back(std::move(d));
  }
  if (out.empty()) return Status::NotFound("migration '" + migration + "' has no validated dataset yet");
  return out;
}

// A consumer chosen for the branch, with what its description needs.
struct Chosen {
  ConsumerFiles files;
  ConsumerEvidence evidence;
};

// "`stg_orders` (`order_date` -> `ordered_on`)" for each dataset read whose output the
// rename changes (propagation).
std::vector<std::string> PropagatedFrom(const ConsumerRules& rules, const std::vector<std::string>& datasets) {
  std::vector<std::string> out;
  for (const std::string& id : datasets) {
    const ConsumerRules::OutputChange* o = rules.ChangedOutput(id);
    if (o == nullptr || rules.IsMigrated(id)) continue;
    std::string renames;
    for (const auto& [from, to] : o->change.renamed)
      renames += (renames.empty() ? "" : ", ") + ("`" + from + "` -> `" + to + "`");
    for (const std::string& d : o->change.dropped)
      renames += (renames.empty() ? "" : ", ") + ("`" + d + "` no longer output");
    out.push_back("`" + id + "` (" + renames + ")");
  }
  return out;
}

// Whether any of `paths` is a file at HEAD of the repository.
bool AnyInRepo(const GitCheckout& repo, const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    if (repo.TreeEntry("HEAD", p).ok()) return true;
  }
  return false;
}

// A dbt consumer: its project checked model by model (service/consumer_dbt.h).
Result<Chosen> ChooseDbt(const GitCheckout& repo, const std::string& dir, NodeId n, const Catalog& catalog,
                         const MigrationSpec& spec, ConsumerRules* rules, std::vector<std::string> datasets) {
  GAGGLE_ASSIGN_OR_RETURN(DbtConsumer dbt, PrepareDbtConsumer(repo, dir, n, catalog, spec, rules));
  Chosen c;
  c.files = std::move(dbt.files);
  c.evidence = std::move(dbt.evidence);
  c.evidence.datasets = std::move(datasets);
  c.evidence.note =
      "dbt project `" + dir +
      "`, checked now model by model (each model's answer and output columns, old and new data): " + dbt.summary + ".";
  return c;
}

// The consumers the branch covers, in catalog order (see the header).
Result<std::vector<Chosen>> ChooseConsumers(const Catalog& catalog, const MigrationSpec& spec, ConsumerRules* rules,
                                            const GitCheckout& repo, const ConsumerPatchRequest& request,
                                            std::vector<std::string>* skipped) {
  const std::set<std::string> named(request.consumers.begin(), request.consumers.end());
  for (const std::string& id : named) {
    if (!catalog.Find(id)) return Status::NotFound("no consumer '" + id + "' in the catalog");
  }
  std::vector<Chosen> out;
  // Lineage order when renames propagate, so a consumer's changed output is known before
  // its readers' rules are made (ConsumerRules::RecordOutputs); the branch's commits
  // follow that order (upstream first), else catalog order.
  GAGGLE_ASSIGN_OR_RETURN(std::vector<NodeId> order, rules->Order());
  for (NodeId n : order) {
    const Entity& e = catalog.entity(n);
    if (e.is_dataset() && e.queries.empty()) continue;  // data, not a consumer
    auto note = e.annotations.find(std::string(annotations::kQueriesPath));
    auto dbt = e.annotations.find(std::string(annotations::kDbtProject));
    Chosen c;
    std::string problem;
    c.files.rules = rules->RulesFor(n, &c.evidence.datasets, &problem);
    rules->RecordOutputs(n, c.files.rules, problem);
    // A dataset is a consumer here only when it names its files (a derived dataset's SQL).
    if (e.is_dataset() && note == e.annotations.end() && dbt == e.annotations.end()) continue;
    if (!named.empty() && !named.count(e.id)) continue;
    const std::vector<std::string> paths =
        note == e.annotations.end() ? std::vector<std::string>{} : QueriesPaths(note->second);
    if (!problem.empty()) {
      if (named.count(e.id)) return Status::SchemaMismatch(e.id + ": " + problem);
      skipped->push_back(e.id + ": " + problem);
      continue;
    }
    if (c.evidence.datasets.empty()) {
      if (named.count(e.id)) return Status::InvalidArgument(e.id + " reads no dataset the migration migrated");
      continue;
    }
    c.evidence.propagated_from = PropagatedFrom(*rules, c.evidence.datasets);
    std::erase_if(c.evidence.datasets, [&](const std::string& id) { return !rules->IsMigrated(id); });
    if (dbt != e.annotations.end() && !dbt->second.empty()) {
      const std::string dir = Trim(dbt->second);
      const std::string marker = (dir == "." ? "" : dir + "/") + "dbt_project.yml";
      if (named.empty() && (!CheckRepoRelativePath(marker).ok() || !AnyInRepo(repo, {marker}))) {
        skipped->push_back(e.id + ": no dbt project at '" + dir + "' in " + repo.root());
        continue;
      }
      auto chosen = ChooseDbt(repo, dir, n, catalog, spec, rules, c.evidence.datasets);
      if (!chosen.ok() && chosen.status().code() == StatusCode::kUnsupported && !named.count(e.id)) {
        skipped->push_back(e.id + ": " + chosen.status().message());
        continue;
      }
      if (!chosen.ok()) return chosen.status();
      out.push_back(std::move(*chosen));
      continue;
    }
    if (paths.empty()) {
      if (named.count(e.id)) {
        return Status::InvalidArgument(e.id + " names no SQL file: add the annotation " +
                                       std::string(annotations::kQueriesPath) + " or " +
                                       std::string(annotations::kDbtProject) + " (docs/consumer-repos.md)");
      }
      skipped->push_back(e.id + ": no " + std::string(annotations::kQueriesPath) + " annotation");
      continue;
    }
    if (named.empty()) {
      Status bad = Status::OK();
      for (const std::string& p : paths) {
        if (bad.ok()) bad = CheckRepoRelativePath(p);
      }
      if (!bad.ok()) {
        skipped->push_back(e.id + ": " + bad.message());
        continue;
      }
    }
    if (named.empty() && !AnyInRepo(repo, paths)) {
      skipped->push_back(e.id + ": none of its files is in " + repo.root());
      continue;
    }
    c.files.consumer = e.id;
    c.files.paths = paths;
    c.evidence.consumer = e.id;
    c.evidence.owner = e.owner;
    c.evidence.catalog_queries = e.queries;
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    return Status::NotFound("no consumer of the migrated datasets has its SQL files (" +
                            std::string(annotations::kQueriesPath) + ") in " + repo.root());
  }
  return out;
}

Status WriteDescription(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError("cannot write the pull-request description " + path);
  return Status::OK();
}

}  // namespace

std::vector<std::string> QueriesPaths(const std::string& annotation) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= annotation.size()) {
    size_t end = annotation.find_first_of(",\n", start);
    if (end == std::string::npos) end = annotation.size();
    std::string p = Trim(annotation.substr(start, end - start));
    if (!p.empty()) out.push_back(std::move(p));
    start = end + 1;
  }
  return out;
}

nlohmann::json ConsumerPatchResult::ToJson() const {
  nlohmann::json consumers = nlohmann::json::array();
  for (const ConsumerCommit& c : branch.consumers) {
    nlohmann::json files = nlohmann::json::array();
    for (const ConsumerFileChange& f : c.files) {
      files.push_back({{"path", f.path},
                       {"statements", f.rewrite.statements.size()},
                       {"rewritten", f.rewrite.Changed()},
                       {"refused", f.rewrite.Refused()},
                       {"patch", f.patch}});
    }
    consumers.push_back({{"consumer", c.consumer}, {"commit", c.commit}, {"files", files}});
  }
  return {{"repo", branch.repo},    {"branch", branch.branch},     {"base", branch.base},
          {"head", branch.head},    {"replaced", branch.replaced}, {"commits", branch.Commits()},
          {"consumers", consumers}, {"skipped", skipped},          {"description_file", description_file}};
}

Result<ConsumerPatchResult> PatchConsumerRepo(const ServiceContext& ctx, const ConsumerPatchRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec spec, SpecOfRun(ctx, request.migration, request.spec_path));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<VerifiedDataset> migrated, MigratedDatasets(ctx, request.migration));
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, ctx.store->LoadCatalog());
  GAGGLE_ASSIGN_OR_RETURN(GitCheckout repo, GitCheckout::Open(request.repo));
  ConsumerRules rules(spec, catalog, migrated,
                      /*preserve_output_names=*/spec.verify.output_names != VerifySpec::OutputNames::kPropagate);
  ConsumerPatchResult out;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<Chosen> chosen,
                          ChooseConsumers(catalog, spec, &rules, repo, request, &out.skipped));
  std::vector<ConsumerFiles> files;
  BranchEvidence evidence;
  evidence.migration = request.migration;
  evidence.propagated = spec.verify.output_names == VerifySpec::OutputNames::kPropagate;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<VerificationRecord> last, ctx.store->ListVerifications(request.migration, 1));
  if (!last.empty()) {
    evidence.verified = true;
    evidence.passed = last[0].passed;
    evidence.time = last[0].time;
    evidence.summary = last[0].summary;
  }
  for (Chosen& c : chosen) {
    if (!last.empty() && c.evidence.note.empty()) {
      c.evidence.checks = ChecksFromReportJson(last[0].report, c.evidence.consumer);
    }
    files.push_back(std::move(c.files));
    evidence.consumers.push_back(std::move(c.evidence));
  }
  ConsumerBranchOptions o;
  o.branch = request.branch.empty() ? "gaggle/" + request.migration : request.branch;
  o.replace_branch = request.replace_branch;
  o.migration = request.migration;
  GAGGLE_ASSIGN_OR_RETURN(out.branch, WriteConsumerBranch(repo, files, o));
  out.description = RenderPrDescription(out.branch, evidence);
  out.description_file = request.description_out;
  if (out.description_file.empty() && !ctx.artifacts.empty()) {
    out.description_file = (fs::path(ctx.artifacts) / RunLog::SafeFileName(request.migration) / "branches" /
                            (RunLog::SafeFileName(o.branch) + ".md"))
                               .string();
  }
  if (!out.description_file.empty()) GAGGLE_RETURN_IF_ERROR(WriteDescription(out.description_file, out.description));
  return out;
}

}  // namespace gaggle::service
