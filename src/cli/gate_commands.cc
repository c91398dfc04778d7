#include "cli/gate_commands.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "service/gate_operations.h"
#include "service/status_operations.h"

namespace gaggle::cli {
namespace {

struct EventsArgs {
  std::string migration;
  std::string dataset;
  std::string state = kDefaultStatePath;
  size_t limit = 100;
  int64_t after = 0;
  bool json = false;
  bool verify = false;
};

int VerifyEventLog(const CliContext& c, bool json) {
  auto report = service::VerifyEvents(c.ctx);
  if (!report.ok()) return ReportError(report.status());
  if (json) {
    std::cout << JsonText(service::EventChainJson(*report)) << std::endl;
  } else if (report->intact) {
    std::cout << "event log intact: " << report->chained << " chained events"
              << (report->unchained ? " (" + std::to_string(report->unchained) + " older ones before the chain)" : "")
              << ", head " << report->head.substr(0, 16) << "\n";
  }
  if (report->intact) return kExitOk;
  std::cerr << "gaggle: the event log of " << c.store->location() << " was tampered with: " << report->problem
            << std::endl;
  return kExitFailure;
}

int RunEvents(const EventsArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  if (a.verify) return VerifyEventLog(*c, a.json);
  auto page = service::ListEventPage(c->ctx, {a.migration, a.dataset, a.after, a.limit});
  if (!page.ok()) return ReportError(page.status());
  if (a.json) {
    std::cout << JsonText(page->ToJson()) << std::endl;
    return kExitOk;
  }
  for (const Event& e : page->events) {
    std::cout << e.seq << "  " << e.time << "  " << e.actor << "  " << e.migration
              << (e.dataset.empty() ? "" : "  " + e.dataset) << "  " << e.from_state << " -> " << e.to_state
              << (e.detail.empty() ? "" : "  " + e.detail) << "\n";
  }
  return kExitOk;
}

struct GateArgs {
  std::string migration;
  std::string state = kDefaultStatePath;
  int stage = -1;
  std::vector<std::string> datasets;
  std::string reason;
  bool final_gate = false;
};

int RunApprove(const GateArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::Approve(c->ctx, {a.migration, a.stage, a.final_gate, a.reason});
  if (!r.ok()) return ReportError(r.status());
  std::cout << r->what << " of " << a.migration << " approved by " << c->ctx.actor << " (\"" << a.reason
            << "\"); its gate now passes";
  if (!r->runner_alive) std::cout << ". No runner is active: start one with `gaggle run`";
  std::cout << "\n";
  return kExitOk;
}

int RunRollback(const GateArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::Rollback(c->ctx, {a.migration, a.datasets, a.stage, a.reason});
  if (!r.ok()) return ReportError(r.status());
  const RollbackReport& report = r->report;
  for (const std::string& m : report.moved) std::cout << "quarantined " << m << "\n";
  for (const std::string& s : report.skipped) std::cout << "skipped " << s << "\n";
  std::cout << report.rolled_back << " dataset" << (report.rolled_back == 1 ? "" : "s") << " rolled back, "
            << report.quarantined << " output" << (report.quarantined == 1 ? "" : "s") << " quarantined"
            << (report.quarantine_dir.empty() ? "" : " in " + report.quarantine_dir)
            << ". Old datasets were not touched"
            << (report.restored > 0 ? "; " + std::to_string(report.restored) +
                                          " catalog entries point at them again (the cut-over is reverted).\n"
                                    : "; the catalog points at them.\n")
            << "`gaggle run` migrates the rolled-back datasets again.\n";
  return kExitOk;
}

}  // namespace

void AddGateCommands(CLI::App* app, int* exit_code) {
  {
    auto a = std::make_shared<EventsArgs>();
    CLI::App* cmd =
        app->add_subcommand("events",
                            "Show the audit trail: every state change with its time, actor and detail, oldest first.\n"
                            "--verify recomputes the log's hash chain and fails if any event was changed, removed or\n"
                            "reordered since it was written.");
    cmd->add_option("migration", a->migration, "Only this migration's events");
    cmd->add_option("--dataset", a->dataset, "Only this dataset's events");
    cmd->add_option("--after", a->after, "Only events after this sequence number");
    cmd->add_option("--limit", a->limit, "At most this many events")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->add_flag("--verify", a->verify, "Verify the hash chain of the whole log instead of listing it");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    cmd->callback([a, exit_code] { *exit_code = RunEvents(*a); });
  }
  {
    auto a = std::make_shared<GateArgs>();
    CLI::App* cmd = app->add_subcommand(
        "approve",
        "Let a stage go on although its validation gate failed (--stage N), or cut over although the\n"
        "final downstream verification failed (--final). The approval (who, when, why) goes into the\n"
        "event log, and a migration paused by that gate resumes.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--stage", a->stage, "The stage whose gate to approve")->check(CLI::Range(0, 1000));
    cmd->add_flag("--final", a->final_gate, "Approve the final verification gate (after `gaggle verify` failed)");
    cmd->add_option("--reason", a->reason, "Why (required; audited)")->required();
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    cmd->callback([a, exit_code] { *exit_code = RunApprove(*a); });
  }
  {
    auto a = std::make_shared<GateArgs>();
    CLI::App* cmd = app->add_subcommand(
        "rollback",
        "Roll back a migration, or some of its datasets (--datasets) or one stage (--stage): new\n"
        "outputs move to a quarantine folder beside them (never deleted), tasks become rolled-back,\n"
        "and every step is in the event log. Old datasets are never modified; datasets already cut\n"
        "over point at their old location in the catalog again (during retention; after `gaggle gc`\n"
        "deleted the old data they are not rolled back). A running migration must be paused or\n"
        "cancelled first. `gaggle run` migrates rolled-back datasets again.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--datasets", a->datasets, "Only these datasets");
    cmd->add_option("--stage", a->stage, "Only this stage");
    cmd->add_option("--reason", a->reason, "Why (recorded in the event log)");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    cmd->callback([a, exit_code] { *exit_code = RunRollback(*a); });
  }
}

}  // namespace gaggle::cli
