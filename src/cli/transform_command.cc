#include "cli/transform_command.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/agent_runner.h"
#include "cli/cli_support.h"
#include "dataset/format_table.h"
#include "spec/spec_values.h"
#include "storage/object_uri.h"

namespace gaggle::cli {
namespace {

struct TransformArgs {
  std::string spec;
  std::string input;
  std::string output;
  std::string from;
  std::string timeout;
  std::string dataset;
  int threads = 0;  // 0: the spec's agent.threads (default 2)
  bool json = false;
  bool quiet = false;
};

nlohmann::json ResultToJson(const AgentRunResult& r) {
  nlohmann::json j = r.manifest.ToJson();
  j["skipped"] = r.skipped;
  j["message"] = r.message;
  j["output_root"] = r.output_root;
  return j;
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path.find("://") != std::string::npos) return path;
  std::string p = std::filesystem::absolute(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

int RunTransform(const TransformArgs& args) {
  auto spec = LoadMigrationSpec(args.spec);
  if (!spec.ok()) return ReportError(spec.status());
  auto agent = MakeAgent(*spec);
  if (!agent.ok()) return ReportError(agent.status());
  AgentTask task;
  task.migration = spec->name;
  task.dataset_id = args.dataset.empty() ? args.input : args.dataset;
  // Resolved once, here, against the directory the command runs in: what is checked,
  // written and recorded is an absolute path (docs/safety.md).
  task.input_path = AbsolutePath(args.input);
  task.output_path = AbsolutePath(args.output);
  task.threads = args.threads;
  if (!args.from.empty()) {
    auto f = ParseFormat(args.from);
    if (!f.ok()) return ReportError(f.status());
    task.input_format = *f;
  }
  if (!args.timeout.empty()) {
    auto d = ParseDuration(args.timeout);
    if (!d.ok()) return ReportError(d.status());
    task.timeout = *d;
  }
  // An external agent's stderr goes beside a local output; an object-store output has no "beside".
  task.log_path = IsObjectStoreUri(args.output) ? "" : args.output + ".agent.log";
  CancellationToken token;
  ProgressPrinter progress(!args.quiet && !args.json && ::isatty(STDERR_FILENO));
  auto result = RunAgent(
      agent->get(), *spec, task, &token,
      [&](const AgentProgress& p) {
        progress.Maybe([&] {
          return "transformed " + HumanCount(static_cast<double>(p.rows)) + " rows (" +
                 HumanCount(static_cast<double>(p.rows) / std::max(progress.ElapsedSeconds(), 1e-9)) + " rows/s)";
        });
      },
      FileSystem::Default(), CliResolver());
  if (!result.ok()) {
    if (args.json) {
      std::cout << nlohmann::json({{"ok", false},
                                   {"error",
                                    {{"code", StatusCodeName(result.status().code())},
                                     {"message", result.status().message()},
                                     {"retryable", result.status().retryable()}}}})
                       .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << std::endl;
    }
    return ReportError(result.status());
  }
  if (args.json) {
    nlohmann::json j = ResultToJson(*result);
    j["ok"] = true;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    return kExitOk;
  }
  const Manifest& m = result->manifest;
  if (result->skipped) {
    std::cout << "gaggle: " << args.output << ": " << result->message << "\n";
    return kExitOk;
  }
  uint64_t bytes = 0;
  for (const OutputFile& o : m.outputs) bytes += o.bytes;
  double rps = m.seconds > 0 ? static_cast<double>(m.counts.rows_in) / m.seconds : 0;
  std::cout << "migrated " << args.input << " -> " << args.output << "\n"
            << "  rows in        " << m.counts.rows_in << "\n"
            << "  rows out       " << m.counts.rows_out << "\n"
            << "  dead-lettered  " << m.counts.dead_lettered
            << (m.counts.dead_lettered ? "  (" + result->output_root + "/" + kDeadLetterFileName + ")" : "") << "\n"
            << "  filtered       " << m.counts.filtered << "\n"
            << "  bytes          " << HumanBytes(static_cast<double>(m.input.total_bytes)) << " -> "
            << HumanBytes(static_cast<double>(bytes)) << " in " << m.outputs.size() << " file(s)\n"
            << "  seconds        " << m.seconds << " (" << HumanCount(rps) << " rows/s)\n"
            << "  checksum       " << m.content_checksum << "\n"
            << "  agent          " << m.agent.name << " " << m.agent.version << " " << m.agent.digest.substr(0, 19)
            << "\n";
  return kExitOk;
}

}  // namespace

void AddTransformCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<TransformArgs>();
  CLI::App* cmd = app->add_subcommand(
      "transform",
      "Migrate one dataset with a migration spec: idempotent, atomic, bounded memory, dead letters for bad records");
  cmd->add_option("--spec", args->spec, "Migration spec (YAML); see docs/migration-spec.md")->required();
  cmd->add_option("--input", args->input, "Source dataset: a file or a directory of partition files")->required();
  cmd->add_option("--output", args->output,
                  "Target dataset directory; replaced atomically, with _gaggle_manifest.json and dead letters inside")
      ->required();
  cmd->add_option("--from", args->from, "Source format when extensions do not tell (avro, csv, jsonl, parquet)");
  cmd->add_option("--timeout", args->timeout, "Give up after this long (e.g. 90s, 10m, 1h); a retryable error");
  cmd->add_option("--dataset", args->dataset, "Dataset id recorded in logs (default: the input path)");
  cmd->add_option("--threads", args->threads,
                  "Threads for the dataset: N > 1 decodes ahead on one while N encode the Parquet output's "
                  "columns; 1: one thread (default: the spec's agent.threads, else 2; the same bytes either way)")
      ->check(CLI::Range(1, 64));
  AddObjectStoreOptions(cmd);
  cmd->add_flag("--json", args->json, "Print the result (the manifest plus skipped/message) as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress on stderr");
  cmd->callback([args, exit_code] { *exit_code = RunTransform(*args); });
}

}  // namespace gaggle::cli
