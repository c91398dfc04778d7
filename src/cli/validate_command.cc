#include "cli/validate_command.h"

#include <iostream>
#include <memory>

#include "cli/cli_support.h"
#include "dataset/format_table.h"
#include "service/after_operations.h"

namespace gaggle::cli {
namespace {

struct ValidateArgs {
  std::string old_path;
  std::string new_path;
  std::string spec;
  std::string old_format;
  std::string new_format;
  size_t batch_rows = 64 * 1024;
  size_t sample_rows = ProfileOptions{}.sample_rows;
  bool serial = false;
  bool json = false;
  std::string state;    // save the result in this state store
  std::string dataset;  // under this dataset id (default: the old path)
};

// Returns the exit code: 0 all checks passed, 1 a check failed; errors are reported.
int Validate(const ValidateArgs& args) {
  service::ValidateRequest request;
  request.old_path = args.old_path;
  request.new_path = args.new_path;
  request.spec_path = args.spec;
  if (args.batch_rows == 0) return ReportError(Status::InvalidArgument("--batch-rows must be positive"));
  request.options.batch_rows = args.batch_rows;
  request.options.profile.sample_rows = args.sample_rows;
  request.options.parallel = !args.serial;
  if (!args.old_format.empty()) {
    auto f = ParseFormat(args.old_format);
    if (!f.ok()) return ReportError(f.status().WithContext("--old-format"));
    request.options.old_format = *f;
  }
  if (!args.new_format.empty()) {
    auto f = ParseFormat(args.new_format);
    if (!f.ok()) return ReportError(f.status().WithContext("--new-format"));
    request.options.new_format = *f;
  }
  request.save = !args.state.empty();
  request.dataset = args.dataset;
  service::ServiceContext ctx;
  ctx.resolver = CliResolver();
  CliContext opened;
  if (request.save) {
    auto c = OpenCliContext(args.state);
    if (!c.ok()) return ReportError(c.status());
    opened = std::move(c).value();
    ctx = opened.ctx;
  }
  auto result = service::ValidateDataset(ctx, request);
  if (!result.ok()) return ReportError(result.status());
  if (args.json) {
    std::cout << result->ToJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    std::cout << result->ToText() << std::flush;
  }
  if (result->passed()) return kExitOk;
  std::cerr << "gaggle: validation failed: " << result->FailureSummary() << std::endl;
  return kExitFailure;
}

}  // namespace

void AddValidateCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd =
      app->add_subcommand("validate",
                          "Compare an old dataset with its migrated new one: row counts, content checksum, schema, "
                          "column statistics and drift, against the spec's gates (exit 1 when a check fails)");
  cmd->add_option("old", args->old_path, "The old dataset: a file or a directory of data files")->required();
  cmd->add_option("new", args->new_path, "The new dataset (the agent's output directory, or a file)")->required();
  cmd->add_option("--spec", args->spec, "The migration spec (MIGRATION.yaml): its transform and gates")->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->add_option("--old-format", args->old_format, "Format of the old files (default: from each extension)");
  cmd->add_option("--new-format", args->new_format, "Format of the new files (default: from each extension)");
  cmd->add_option("--batch-rows", args->batch_rows, "Rows per batch read")->capture_default_str();
  cmd->add_option("--sample-rows", args->sample_rows, "Rows sampled per side for quantiles and KS")
      ->capture_default_str();
  cmd->add_flag("--serial", args->serial, "Read the two sides one after the other instead of at once");
  cmd->add_option("--state", args->state,
                  "Also keep the result in this state store (as `gaggle run` does for every dataset)");
  cmd->add_option("--dataset", args->dataset, "Dataset id to keep the result under (default: the old path)");
  AddObjectStoreOptions(cmd);
  cmd->callback([args, exit_code] { *exit_code = Validate(*args); });
}

}  // namespace gaggle::cli
