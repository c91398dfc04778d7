#include "cli/consumers_command.h"

#include <iostream>
#include <memory>

#include "cli/cli_support.h"
#include "service/consumer_repo_operations.h"

namespace gaggle::cli {
namespace {

struct PatchArgs {
  std::string migration;
  std::string repo;
  std::string branch;
  bool replace_branch = false;
  std::vector<std::string> consumers;
  std::string spec;
  std::string description;
  std::string state = kDefaultStatePath;
  std::string logs;
  bool json = false;
};

int RunPatch(const PatchArgs& a) {
  auto c = OpenCliContext(a.state, a.logs, true);
  if (!c.ok()) return ReportError(c.status());
  service::ConsumerPatchRequest request;
  request.migration = a.migration;
  request.repo = a.repo;
  request.branch = a.branch;
  request.replace_branch = a.replace_branch;
  request.consumers = a.consumers;
  request.spec_path = a.spec;
  request.description_out = a.description;
  auto r = service::PatchConsumerRepo(c->ctx, request);
  if (!r.ok()) return ReportError(r.status());
  if (a.json) {
    std::cout << JsonText(r->ToJson()) << std::endl;
    return kExitOk;
  }
  const ConsumerBranchResult& b = r->branch;
  for (const ConsumerCommit& cc : b.consumers) {
    int changed = 0, refused = 0;
    for (const ConsumerFileChange& f : cc.files) {
      changed += f.rewrite.Changed();
      refused += f.rewrite.Refused();
    }
    std::cout << (cc.commit.empty() ? "unchanged  " : cc.commit.substr(0, 12) + "  ") << cc.consumer << ": " << changed
              << " statement" << (changed == 1 ? "" : "s") << " rewritten"
              << (refused ? ", " + std::to_string(refused) + " refused (marked in the file)" : "") << "\n";
  }
  for (const std::string& s : r->skipped) std::cout << "skipped  " << s << "\n";
  if (b.head.empty()) {
    std::cout << "no file needs a change: no branch made in " << b.repo << "\n";
  } else {
    std::cout << (b.replaced.empty() ? "created" : "replaced") << " branch " << b.branch << " in " << b.repo << ": "
              << b.Commits() << " commit" << (b.Commits() == 1 ? "" : "s") << " on " << b.base.substr(0, 12)
              << "; your checkout is untouched\n";
  }
  if (!r->description_file.empty()) std::cout << "pull-request description: " << r->description_file << "\n";
  return kExitOk;
}

}  // namespace

void AddConsumersCommands(CLI::App* app, int* exit_code) {
  CLI::App* consumers = app->add_subcommand("consumers", "Consumers of migrated datasets, in their own repositories");
  consumers->require_subcommand(1);
  auto a = std::make_shared<PatchArgs>();
  CLI::App* cmd = consumers->add_subcommand(
      "patch",
      "Rewrite the consumers' own SQL files for a migration's new schema, in their git repository:\n"
      "a branch (default gaggle/MIGRATION) with one commit per consumer, made from HEAD without touching\n"
      "your working tree, index or current branch, and a pull-request description (markdown) with the\n"
      "verification evidence: each statement, its row counts on old and new data, same answer or not.\n"
      "A consumer names its files with the annotation gaggle.dev/queries-path (relative to the\n"
      "repository's root), or is a dbt project (gaggle.dev/dbt-project: its folder), whose models are\n"
      "rewritten and then checked model by model on the old and new data in DuckDB.\n"
      "Comments, layout, Jinja and line ends are kept. A renamed column a consumer outputs keeps its old\n"
      "name (new AS old); with verify.output_names: propagate in the spec it takes the new name, and the\n"
      "consumers reading that consumer (a derived dataset's SQL; dbt ref()) follow, upstream first.\n"
      "Refused: uncommitted changes\n"
      "to those files, an existing branch (unless --replace-branch), a branch someone has checked out,\n"
      "and paths that leave the repository (.., absolute, through symlinks). See docs/consumer-repos.md.");
  cmd->add_option("migration", a->migration, "Migration name")->required();
  cmd->add_option("--repo", a->repo, "The consumers' git checkout (any path inside it)")->required();
  cmd->add_option("--branch", a->branch, "Branch to create (default: gaggle/MIGRATION)");
  cmd->add_flag("--replace-branch", a->replace_branch, "Replace the branch when it exists (never one checked out)");
  cmd->add_option("--consumer", a->consumers,
                  "Only this consumer (entity id, e.g. component:billing); repeatable. Default: every consumer of\n"
                  "the migrated datasets whose gaggle.dev/queries-path files (or dbt project) are in the repository");
  cmd->add_option("--description", a->description,
                  "Where to write the pull-request description (default: LOGS/MIGRATION/branches/BRANCH.md)");
  cmd->add_option("--spec", a->spec, "The migration spec (default: the file the run was started with)");
  cmd->add_option("--logs", a->logs,
                  "Artefact location: a directory (default: gaggle-logs/ beside the state file), or s3://bucket/prefix "
                  "or gs://bucket/prefix (spooled locally, each file uploaded whole once complete)");
  cmd->add_flag("--json", a->json, "Print the result as JSON (commits, files, patches)");
  cmd->add_option("--state", a->state, "State file")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunPatch(*a); });
}

}  // namespace gaggle::cli
