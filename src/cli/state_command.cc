#include "cli/state_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "store/state_store.h"
#include "store/store_copy.h"

namespace gaggle::cli {
namespace {

struct CopyArgs {
  std::string from, to;
  bool json = false;
};

int RunCopy(const CopyArgs& a) {
  StateStoreOptions source_options;
  source_options.create_if_missing = false;  // a mistyped source is NotFound, not a new empty state
  auto from = OpenStateStore(a.from, source_options);
  if (!from.ok()) return ReportError(from.status());
  auto to = OpenStateStore(a.to);
  if (!to.ok()) return ReportError(to.status());
  auto copied = CopyStore((*from)->backend(), (*to)->backend());
  if (!copied.ok()) return ReportError(copied.status());
  const StoreCopySummary& s = *copied;
  if (a.json) {
    nlohmann::json j = {{"from", (*from)->location()},
                        {"to", (*to)->location()},
                        {"entities", s.entities},
                        {"edges", s.edges},
                        {"imports", s.imports},
                        {"plans", s.plans},
                        {"runs", s.runs},
                        {"tasks", s.tasks},
                        {"validations", s.validations},
                        {"approvals", s.approvals},
                        {"verifications", s.verifications},
                        {"cutovers", s.cutovers},
                        {"events", s.events}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "gaggle: copied " << s.ToString() << " from " << (*from)->location() << " to " << (*to)->location()
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddStateCommands(CLI::App* app, int* exit_code) {
  CLI::App* state = app->add_subcommand("state", "Manage state stores");
  state->require_subcommand(1);
  auto args = std::make_shared<CopyArgs>();
  CLI::App* copy = state->add_subcommand(
      "copy",
      "Copy every record of the state FROM into the empty state TO, in one transaction:\n"
      "the catalog, plans, runs and tasks, gate records, verifications, cut-overs and the\n"
      "event log (every event keeps its hash). A state is a SQLite file or a PostgreSQL URL\n"
      "(postgres://user@host/db). TO is created when missing and must hold nothing; FROM must exist.");
  copy->add_option("from", args->from, "The state to copy")->required();
  copy->add_option("to", args->to, "The empty state to copy into")->required();
  copy->add_flag("--json", args->json, "Print what was copied as one JSON object");
  copy->callback([args, exit_code] { *exit_code = RunCopy(*args); });
}

}  // namespace gaggle::cli
