#include "cli/generate_command.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/cli_support.h"
#include "columnar/synthetic_data.h"
#include "dataset/format_table.h"

namespace gaggle::cli {
namespace {

struct GenerateArgs {
  std::string output;
  std::string to;
  std::string profile = "bench";
  std::string compression = "zstd";
  int64_t rows = 1000000;
  uint64_t seed = 1;
  double bad_fraction = 0;
  size_t batch_rows = 64 * 1024;
  int64_t row_group_rows = 1000000;
  bool quiet = false;
};

Status Generate(const GenerateArgs& args) {
  if (args.rows < 0) return Status::InvalidArgument("--rows must not be negative");
  Format format;
  if (!args.to.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(format, ParseFormat(args.to));
  } else {
    GAGGLE_ASSIGN_OR_RETURN(format, FormatFromPath(args.output));
  }
  GAGGLE_ASSIGN_OR_RETURN(SyntheticData data, SyntheticData::Make(args.profile, args.seed, args.bad_fraction));
  WriteOptions options;
  GAGGLE_ASSIGN_OR_RETURN(options.compression, ParseCompression(args.compression));
  if (format == Format::kAvro && options.compression == Compression::kZstd) options.compression = Compression::kSnappy;
  options.row_group_rows = args.row_group_rows;
  FileSystem* fs = FileSystem::Default();
  std::string tmp = args.output + ".gaggle-tmp-" + std::to_string(::getpid());
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenWriter(tmp, format, data.schema(), options, fs));
  ProgressPrinter progress(!args.quiet && ::isatty(STDERR_FILENO));
  RecordBatch batch;
  int64_t done = 0;
  Status st;
  while (st.ok() && done < args.rows) {
    size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(args.batch_rows), args.rows - done));
    data.NextBatch(n, &batch);
    st = writer->Write(batch);
    done += static_cast<int64_t>(n);
    progress.Maybe([&] { return "generated " + HumanCount(static_cast<double>(done)) + " rows"; });
  }
  if (st.ok()) st = writer->Finish();
  writer.reset();
  if (st.ok()) st = fs->Rename(tmp, args.output);
  if (!st.ok()) {
    (void)fs->RemoveFile(tmp);
    return st;
  }
  if (!args.quiet) {
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(args.output));
    std::cerr << "gaggle: generated " << done << " " << args.profile << " rows into " << args.output << " ("
              << HumanBytes(static_cast<double>(info.size)) << ", " << FormatName(format) << ")" << std::endl;
  }
  return Status::OK();
}

}  // namespace

void AddGenerateCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd =
      app->add_subcommand("generate", "Write a deterministic synthetic dataset (demo, benchmark and test data)");
  cmd->add_option("output", args->output, "Output file; the format comes from the extension or --to")->required();
  cmd->add_option("--to", args->to, "Output format: avro, csv, jsonl, parquet");
  cmd->add_option("--profile", args->profile,
                  "bench: typed table (ids, doubles, strings, timestamps, bools, nulls, categories); "
                  "events: a legacy event log with text timestamps and amounts, to be migrated; "
                  "nested_events: events with a device struct, a list of item structs and a map of attributes; "
                  "nested_bench: id, a list of 0-8 item structs, a map of tags and a device struct (make bench)")
      ->capture_default_str();
  cmd->add_option("--rows", args->rows, "Number of rows")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed; the same seed gives the same rows")->capture_default_str();
  cmd->add_option("--bad-fraction", args->bad_fraction,
                  "events profile: share of rows whose amount cannot be parsed (dead-letter material)")
      ->capture_default_str();
  cmd->add_option("--compression", args->compression, "Codec (Parquet: zstd/snappy/gzip/none; Avro: snappy/gzip/none)")
      ->capture_default_str();
  cmd->add_option("--row-group-rows", args->row_group_rows, "Rows per Parquet row group")->capture_default_str();
  cmd->add_option("--batch-rows", args->batch_rows, "Rows per in-memory batch")->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress or summary on stderr");
  cmd->callback([args, exit_code] {
    Status st = Generate(*args);
    *exit_code = st.ok() ? kExitOk : ReportError(st);
  });
}

}  // namespace gaggle::cli
