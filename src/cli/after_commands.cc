#include "cli/after_commands.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "service/after_operations.h"

namespace gaggle::cli {
namespace {

struct VerifyArgs {
  std::string migration;
  std::string state = kDefaultStatePath;
  std::string spec;
  std::string logs;
  int64_t sample = -1;
  int64_t seed = -1;
  bool json = false;
  bool quiet = false;
};

int RunVerify(const VerifyArgs& a) {
  auto c = OpenCliContext(a.state, a.logs, true);
  if (!c.ok()) return ReportError(c.status());
  service::VerifyRequest request;
  request.migration = a.migration;
  request.spec_path = a.spec;
  if (a.sample >= 0) request.sample = a.sample;
  if (a.seed >= 0) request.seed = static_cast<uint64_t>(a.seed);
  if (!a.quiet && !a.json)
    request.progress = [](const std::string& line) { std::cerr << "gaggle: verify: " << line << "\n"; };
  auto report = service::VerifyDownstream(c->ctx, request);
  if (!report.ok()) return ReportError(report.status());
  if (a.json) {
    std::cout << JsonText(report->ToJson()) << std::endl;
    return report->passed() ? kExitOk : kExitFailure;
  }
  for (const QueryCheck& c : report->checks) {
    if (c.outcome == QueryCheck::Outcome::kMatched) continue;
    std::cout << OutcomeName(c.outcome) << ": " << c.consumer << " query " << c.query_index + 1
              << (c.owner.empty() ? "" : " (owner " + c.owner + ")") << "\n  " << c.reason
              << "\n  original:  " << c.original << "\n";
    if (!c.rewritten.empty()) std::cout << "  rewritten: " << c.rewritten << "\n";
    for (const std::string& r : c.examples_old) std::cout << "  only in the old answer: " << r << "\n";
    for (const std::string& r : c.examples_new) std::cout << "  only in the new answer: " << r << "\n";
  }
  if (!report->patches.empty()) {
    std::cout << report->patches.size() << " consumer patch" << (report->patches.size() == 1 ? "" : "es")
              << " (their queries rewritten for the new schema):\n";
    for (const ConsumerPatch& p : report->patches) {
      std::cout << "  " << p.consumer << (p.owner.empty() ? "" : " (" + p.owner + ")") << ": ";
      if (p.patch.empty()) {
        std::cout << "its " << p.queries << " queries need no change\n";
        continue;
      }
      std::cout << p.rewritten << " of " << p.queries << " queries change"
                << (p.refused ? ", " + std::to_string(p.refused) + " cannot be rewritten" : "") << "  " << p.file
                << "\n";
      if (!p.repo_root.empty()) {
        std::cout << "    its own files: git apply it in " << p.repo_root << "\n";
      } else if (!p.files_note.empty()) {
        std::cout << "    not of its own files (" << p.files_note << "): it patches <id>/queries.sql\n";
      }
    }
  }
  std::cout << (report->passed() ? "verified: " : "verification FAILED: ") << report->Summary() << "\n";
  return report->passed() ? kExitOk : kExitFailure;
}

struct GcArgs {
  std::string state = kDefaultStatePath;
  std::string migration;
  std::string now;
  bool dry_run = false;
  bool json = false;
};

int RunGc(const GcArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  GcOptions o;
  o.now = a.now;
  o.migration = a.migration;
  o.dry_run = a.dry_run;
  auto result = service::CollectOldData(c->ctx, o);
  if (!result.ok()) return ReportError(result.status());
  if (a.json) {
    std::cout << JsonText(result->ToJson()) << std::endl;
    return kExitOk;
  }
  const GcReport* report = &result->report;
  const char* verb = a.dry_run ? "would delete" : "deleted";
  const char* passive = a.dry_run ? "would be deleted" : "deleted";
  for (const GcItem& i : report->deleted) {
    std::cout << verb << "  " << i.migration << "  " << i.dataset << "  " << i.path << "  (" << i.files << " files, "
              << HumanBytes(static_cast<double>(i.bytes)) << "; retained until " << i.retain_until << ")"
              << (i.reason.empty() ? "" : "  [" + i.reason + "]") << "\n";
    for (const std::string& l : i.left) std::cout << "  left  " << l << "\n";
  }
  for (const GcItem& i : report->kept) {
    std::cout << "kept  " << i.migration << "  " << i.dataset << "  " << i.reason << "\n";
    for (const std::string& l : i.left) std::cout << "  left  " << l << "\n";
  }
  std::cout << (a.dry_run ? "dry run: " : "") << report->deleted.size() << " old dataset"
            << (report->deleted.size() == 1 ? "" : "s") << " " << passive << " ("
            << HumanBytes(static_cast<double>(report->bytes)) << "), " << report->kept.size() << " kept"
            << (a.dry_run ? "; nothing was deleted or recorded" : "; each deletion is in the event log") << "\n";
  return kExitOk;
}

struct ArchiveArgs {
  std::string migration;
  std::string out;
  std::string state = kDefaultStatePath;
  std::string spec;
  std::string logs;
  std::string file;  // archive verify
};

int RunArchive(const ArchiveArgs& a) {
  auto c = OpenCliContext(a.state, a.logs, true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::WriteArchive(c->ctx, {a.migration, a.out, a.spec});
  if (!r.ok()) return ReportError(r.status());
  std::cout << "wrote " << a.out << ": " << r->files << " files (" << HumanBytes(static_cast<double>(r->bytes))
            << " before compression) and MANIFEST.sha256. Check it with `gaggle archive verify " << a.out << "`.\n";
  return kExitOk;
}

int RunArchiveVerify(const ArchiveArgs& a) {
  auto report = service::VerifyArchive(service::ServiceContext{}, a.file);
  if (!report.ok()) return ReportError(report.status());
  if (report->ok()) {
    std::cout << "archive intact: " << report->files << " files (" << HumanBytes(static_cast<double>(report->bytes))
              << ") match MANIFEST.sha256; event log of " << report->events << " events, hash chain intact"
              << (report->event_chain_head.empty() ? "" : " (head " + report->event_chain_head.substr(0, 16) + ")")
              << "\n";
    return kExitOk;
  }
  std::cerr << "gaggle: archive " << a.file << " FAILED verification (" << report->problems.size() << " problem"
            << (report->problems.size() == 1 ? "" : "s") << "):\n";
  for (const ArchiveCheck& c : report->problems) std::cerr << "  " << c.path << ": " << c.problem << "\n";
  return kExitFailure;
}

struct ReportArgs {
  std::string migration;
  std::string state = kDefaultStatePath;
  std::string html;
};

int RunReport(const ReportArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto report = service::BuildReport(c->ctx, a.migration);
  if (!report.ok()) return ReportError(report.status());
  if (a.html.empty()) {
    std::cout << report->ToText();
    return kExitOk;
  }
  std::ofstream out(a.html, std::ios::binary | std::ios::trunc);
  out << report->ToHtml();
  out.close();
  if (!out) return ReportError(Status::IOError("cannot write " + a.html));
  std::cout << "wrote " << a.html << "\n";
  return kExitOk;
}

}  // namespace

void AddAfterCommands(CLI::App* app, int* exit_code) {
  {
    auto a = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app->add_subcommand(
        "verify",
        "Downstream query verification: draw a random sample of the consumers' SQL queries (from the\n"
        "catalog) that read the migration's validated datasets, rewrite each for the new schema, run the\n"
        "original on the old data and the rewrite on the new data (DuckDB), and compare the answers.\n"
        "Saves each affected consumer's patch under the logs directory: of its own SQL files, to `git\n"
        "apply` at its repository's root, when it names them (gaggle.dev/queries-path) and they can be\n"
        "read there; else of a queries file <consumer id>/queries.sql. A renamed column a query outputs\n"
        "keeps its old name (new AS old); with verify.output_names: propagate in the spec it takes the new\n"
        "name and the consumers reading that consumer follow, checked on views of its old and new query.\n"
        "`gaggle run` does this as its final gate before cut-over; this command re-runs it by hand.\n"
        "Exit 1 when any query differs.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--sample", a->sample, "Queries to draw (default: the spec's verify.sample; 0: all)");
    cmd->add_option("--seed", a->seed, "Random seed of the sample (default: the spec's verify.seed)");
    cmd->add_option("--spec", a->spec, "The migration spec (default: the file the run was started with)");
    cmd->add_option(
        "--logs", a->logs,
        "Artefact location: a directory (default: gaggle-logs/ beside the state file), or s3://bucket/prefix or "
        "gs://bucket/prefix (spooled locally, each file uploaded whole once complete)");
    cmd->add_flag("--json", a->json, "Print the whole report as JSON");
    cmd->add_flag("-q,--quiet", a->quiet, "No per-query progress lines");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    AddObjectStoreOptions(cmd);  // old or new data in s3:// or gs://
    cmd->callback([a, exit_code] { *exit_code = RunVerify(*a); });
  }
  {
    auto a = std::make_shared<GcArgs>();
    CLI::App* cmd = app->add_subcommand(
        "gc",
        "Delete old datasets whose retention has passed: only the previous location of a dataset\n"
        "that was cut over, whose migration completed and was not rolled back, after its retention\n"
        "deadline (spec `retention`, 30 days by default). Prints what it deletes and records each\n"
        "deletion in the event log; everything else it keeps, saying why. Nothing else is ever\n"
        "deleted by gaggle.");
    cmd->add_flag("--dry-run", a->dry_run, "Only print what would be deleted");
    cmd->add_option("--now", a->now, "Pretend it is this time (ISO 8601, e.g. 2025-01-31T00:00:00Z)");
    cmd->add_option("--migration", a->migration, "Only this migration's old datasets");
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    AddObjectStoreOptions(cmd);
    cmd->callback([a, exit_code] { *exit_code = RunGc(*a); });
  }
  {
    auto a = std::make_shared<ArchiveArgs>();
    CLI::App* cmd = app->add_subcommand(
        "archive",
        "Write the audit archive of a migration (.tar.zst): spec, plan, agent versions and digests,\n"
        "the full hash-chained event log, gate and verification results, cut-overs, output manifests\n"
        "and logs, with MANIFEST.sha256. `gaggle archive verify FILE` checks an archive.");
    cmd->require_subcommand(0, 1);
    cmd->add_option("migration", a->migration, "Migration name");
    cmd->add_option("--out", a->out, "Archive to write (FILE.tar.zst)");
    cmd->add_option("--spec", a->spec, "The migration spec (default: the file the run was started with)");
    cmd->add_option(
        "--logs", a->logs,
        "Artefact location: a directory (default: gaggle-logs/ beside the state file), or s3://bucket/prefix or "
        "gs://bucket/prefix (spooled locally, each file uploaded whole once complete)");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    AddObjectStoreOptions(cmd);
    CLI::App* verify = cmd->add_subcommand(
        "verify",
        "Check an audit archive: every file against MANIFEST.sha256 and the event log's hash chain.\n"
        "Exit 1, naming each problem, when anything was changed, added or removed.");
    verify->add_option("file", a->file, "The archive (.tar.zst)")->required();
    verify->callback([a, exit_code] { *exit_code = RunArchiveVerify(*a); });
    cmd->callback([a, cmd, exit_code] {
      if (!cmd->get_subcommands().empty()) return;
      if (a->migration.empty() || a->out.empty()) {
        *exit_code = ReportError(Status::InvalidArgument("usage: gaggle archive MIGRATION --out FILE.tar.zst"));
        return;
      }
      *exit_code = RunArchive(*a);
    });
  }
  {
    auto a = std::make_shared<ReportArgs>();
    CLI::App* cmd =
        app->add_subcommand("report",
                            "A human summary of a migration: timeline, stages, gates and approvals, dead letters,\n"
                            "retries, what needs attention, downstream verification, cut-over and retention.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--html", a->html, "Write a self-contained HTML page to this file instead");
    cmd->add_option("--state", a->state, "State file")->capture_default_str();
    cmd->callback([a, exit_code] { *exit_code = RunReport(*a); });
  }
}

}  // namespace gaggle::cli
