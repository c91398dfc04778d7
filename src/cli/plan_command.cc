#include "cli/plan_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "service/plan_operations.h"

namespace gaggle::cli {
namespace {

struct PlanArgs {
  std::string spec;
  std::string catalog;
  std::string state = kDefaultStatePath;
  size_t rows = 10;
  bool json = false;
  bool no_save = false;
};

// Under a dataset: the renames that apply to it and the entries its columns miss.
void PrintColumns(const PlanRow& r) {
  if (!r.columns_known || (r.renames.empty() && r.missing.empty())) return;
  std::string text;
  for (const auto& [from, to] : r.renames) text += (text.empty() ? "" : ", ") + from + " -> " + to;
  std::cout << "        renames: " << (text.empty() ? "none" : text);
  if (!r.missing.empty()) {
    std::cout << "; " << (r.missing_skipped ? "skipped" : "missing (fails)") << ":";
    for (const std::string& m : r.missing) std::cout << " " << m;
  }
  std::cout << "\n";
}

void PrintPlan(const Plan& p, size_t rows_per_stage, bool saved, const std::string& state) {
  std::cout << "migration " << p.migration << " -> schema v" << p.target_version << " (" << p.target_format
            << "), agent " << p.agent << (p.agent_version.empty() ? "" : " " + p.agent_version) << "\n";
  std::cout << "plan " << p.hash << (saved ? "  (saved in " + state + ")" : "  (not saved)") << "\n";
  int64_t bytes = 0;
  for (const PlanStage& s : p.stages) bytes += s.bytes;
  std::cout << p.rows.size() << " datasets, " << HumanBytes(static_cast<double>(bytes)) << ", " << p.num_waves
            << " wave" << (p.num_waves == 1 ? "" : "s") << ", " << p.stages.size() << " stage"
            << (p.stages.size() == 1 ? "" : "s") << "\n\n";
  std::cout << "stage  cumulative  datasets        size  critical  standard       low  waves\n";
  for (const PlanStage& s : p.stages) {
    char line[200];
    std::string waves = s.first_wave < 0 ? "-" : std::to_string(s.first_wave) + "-" + std::to_string(s.last_wave);
    std::snprintf(line, sizeof(line), "%-6s %9.4g%% %9lld %11s %9lld %9lld %9lld  %s\n",
                  (std::to_string(s.index) + (s.canary ? "*" : "")).c_str(), s.percent,
                  static_cast<long long>(s.datasets), HumanBytes(static_cast<double>(s.bytes)).c_str(),
                  static_cast<long long>(s.by_tier[0]), static_cast<long long>(s.by_tier[1]),
                  static_cast<long long>(s.by_tier[2]), waves.c_str());
    std::cout << line;
  }
  if (!p.stages.empty() && p.stages[0].canary) std::cout << "(* canary)\n";
  size_t i = 0;
  for (const PlanStage& s : p.stages) {
    std::cout << "\nstage " << s.index << (s.canary ? " (canary)" : "") << ":\n";
    std::cout << "  wave  prio  tier      blast  dataset -> target\n";
    size_t shown = 0;
    for (; i < p.rows.size() && p.rows[i].stage == s.index; ++i) {
      if (shown++ >= rows_per_stage) continue;
      const PlanRow& r = p.rows[i];
      char line[64];
      std::snprintf(line, sizeof(line), "  %4d %5d  %-8s %6s%s ", r.wave, r.priority, TierName(r.tier),
                    HumanCount(static_cast<double>(r.blast_radius)).c_str(), r.blast_radius_exact ? " " : "~");
      std::cout << line << r.dataset_id << " -> " << r.target_uri << "\n";
      PrintColumns(r);
    }
    if (shown > rows_per_stage) std::cout << "  ... and " << shown - rows_per_stage << " more (--rows, --json)\n";
  }
  for (const std::string& w : p.warnings) std::cout << "\nwarning: " << w << "\n";
}

int RunPlan(const PlanArgs& a) {
  // --no-save without --catalog only reads the state: a mistyped --state must not create one.
  auto c = OpenCliContext(a.state, "", a.no_save && a.catalog.empty());
  if (!c.ok()) return ReportError(c.status());
  auto planned = service::PreparePlan(c->ctx, {a.spec, a.catalog, !a.no_save, ""});
  if (!planned.ok()) return ReportError(planned.status());
  if (planned->imported) {
    const CatalogChangeSet& ch = planned->imported->changes;
    std::cerr << "gaggle: catalog " << a.catalog << " imported (#" << ch.import_id << ": +" << ch.num_added << " ~"
              << ch.num_updated << " -" << ch.num_removed << ")\n";
  }
  if (a.json) {
    std::cout << JsonText(planned->ToJson()) << std::endl;
  } else {
    PrintPlan(planned->plan, a.rows, planned->saved, planned->state);
  }
  return kExitOk;
}

}  // namespace

void AddPlanCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app->add_subcommand(
      "plan",
      "Plan a migration: select its datasets from the catalog, order them by lineage into waves\n"
      "(foundational first), rank them inside each wave (tier, then blast radius), assign canary\n"
      "and later stages, and compute each target URI. The plan is saved in the state store under\n"
      "its content hash; `gaggle run` executes exactly that plan. Under each dataset whose catalog\n"
      "schema is known: the renames that apply to it, and the rename/cast/drop entries naming a\n"
      "column it lacks (skipped with transform.missing_columns: skip, else they fail it).");
  cmd->add_option("spec", args->spec, "Migration spec (MIGRATION.yaml)")->required();
  cmd->add_option("--catalog", args->catalog, "Import this catalog file or directory first (else use the stored one)");
  cmd->add_option(
         "--state", args->state,
         "State: a SQLite file or a PostgreSQL URL (postgres://user@host/db) holding the catalog, plans and event log")
      ->capture_default_str();
  cmd->add_option("--rows", args->rows, "Datasets to print per stage")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the whole plan as JSON (every dataset)");
  cmd->add_flag("--no-save", args->no_save, "Only print the plan; do not save it");
  cmd->callback([args, exit_code] { *exit_code = RunPlan(*args); });
}

}  // namespace gaggle::cli
