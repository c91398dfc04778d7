#include "cli/format_commands.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "common/utf8.h"
#include "dataset/format_table.h"
#include "dataset/prefetching_reader.h"

namespace gaggle::cli {
namespace {

struct InspectArgs {
  std::string path;
  std::string from;
  std::string schema;
  bool json = false;
};

struct ConvertArgs {
  std::string input;
  std::string output;
  std::string from;
  std::string to;
  std::string compression;  // empty: the output format's default
  std::string schema;
  int64_t row_group_rows = 1000000;
  size_t batch_rows = 64 * 1024;
  bool dictionary = true;
  // > 1: the input is read ahead on a thread of its own while `threads` threads encode and
  // compress the Parquet output's columns; 1: everything on one thread. Same bytes either way.
  int threads = 2;
  bool quiet = false;
};

Result<Format> ResolveFormat(const std::string& explicit_name, const std::string& path) {
  if (!explicit_name.empty()) return ParseFormat(explicit_name);
  return FormatFromPath(path);
}

Result<ReadOptions> MakeReadOptions(const std::string& schema_text, size_t batch_rows) {
  ReadOptions options;
  options.batch_rows = batch_rows;
  if (!schema_text.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(Schema schema, ParseSchemaText(schema_text));
    options.schema = std::move(schema);
  }
  return options;
}

// Every string in the summary comes from the file (names, metadata, created_by, statistics)
// or the command line, and JSON holds only UTF-8: bytes that are not UTF-8 are escaped as \xNN.
nlohmann::json SummaryToJson(const FileSummary& s) {
  const auto text = [](std::string_view v) { return EscapeInvalidUtf8(v); };
  nlohmann::json j;
  j["path"] = text(s.path);
  j["format"] = FormatName(s.format);
  j["file_bytes"] = s.file_bytes;
  j["num_rows"] = s.num_rows;
  j["codec"] = text(s.codec);
  if (!s.created_by.empty()) j["created_by"] = text(s.created_by);
  j["schema"] = nlohmann::json::array();
  for (const Field& f : s.schema.fields()) {
    j["schema"].push_back({{"name", text(f.name)}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  if (s.format == Format::kParquet) {
    j["row_groups"] = nlohmann::json::array();
    for (const RowGroupSummary& rg : s.row_groups) {
      nlohmann::json r = {{"num_rows", rg.num_rows}, {"total_bytes", rg.total_bytes}};
      r["columns"] = nlohmann::json::array();
      for (const ColumnChunkSummary& c : rg.columns) {
        nlohmann::json cj = {{"column", text(c.column)},
                             {"physical_type", c.physical_type},
                             {"encodings", c.encodings},
                             {"codec", c.codec},
                             {"compressed_bytes", c.compressed_bytes},
                             {"uncompressed_bytes", c.uncompressed_bytes}};
        if (c.null_count) cj["null_count"] = *c.null_count;
        if (c.min) cj["min"] = text(*c.min);
        if (c.max) cj["max"] = text(*c.max);
        r["columns"].push_back(std::move(cj));
      }
      j["row_groups"].push_back(std::move(r));
    }
  }
  nlohmann::json kv = nlohmann::json::object();
  for (const auto& [k, v] : s.key_value_metadata) kv[text(k)] = text(v);
  if (!kv.empty()) j["key_value_metadata"] = kv;
  return j;
}

void PrintSummary(const FileSummary& s) {
  std::cout << "file:     " << s.path << " (" << HumanBytes(static_cast<double>(s.file_bytes)) << ")\n";
  std::cout << "format:   " << FormatName(s.format) << "\n";
  std::cout << "rows:     " << s.num_rows << "\n";
  std::cout << "codec:    " << s.codec << "\n";
  if (!s.created_by.empty()) std::cout << "created:  " << s.created_by << "\n";
  std::cout << "schema:\n";
  for (const Field& f : s.schema.fields()) {
    std::cout << "  " << f.name << ": " << f.type.ToString() << (f.nullable ? "" : " not null") << "\n";
  }
  for (size_t i = 0; i < s.row_groups.size(); ++i) {
    const RowGroupSummary& rg = s.row_groups[i];
    std::cout << "row group " << i << ": " << rg.num_rows << " rows, "
              << HumanBytes(static_cast<double>(rg.total_bytes)) << "\n";
    for (const ColumnChunkSummary& c : rg.columns) {
      std::cout << "  " << c.column << " [" << c.physical_type << " " << c.encodings << " " << c.codec << "] "
                << HumanBytes(static_cast<double>(c.compressed_bytes)) << " (raw "
                << HumanBytes(static_cast<double>(c.uncompressed_bytes)) << ")";
      if (c.null_count) std::cout << " nulls=" << *c.null_count;
      if (c.min) std::cout << " min=" << *c.min;
      if (c.max) std::cout << " max=" << *c.max;
      std::cout << "\n";
    }
  }
  for (const auto& [k, v] : s.key_value_metadata) {
    std::cout << "meta:     " << k << " = " << (v.size() > 120 ? v.substr(0, 117) + "..." : v) << "\n";
  }
}

int RunInspect(const InspectArgs& args) {
  auto format = ResolveFormat(args.from, args.path);
  if (!format.ok()) return ReportError(format.status());
  auto options = MakeReadOptions(args.schema, 64 * 1024);
  if (!options.ok()) return ReportError(options.status());
  auto summary = InspectFile(args.path, *format, *options);
  if (!summary.ok()) return ReportError(summary.status());
  if (args.json) {
    // Replace (never throw) as a last resort: a dump that throws would abort the process.
    std::cout << SummaryToJson(*summary).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    PrintSummary(*summary);
  }
  return kExitOk;
}

Status Convert(const ConvertArgs& args) {
  GAGGLE_ASSIGN_OR_RETURN(Format in_format, ResolveFormat(args.from, args.input));
  GAGGLE_ASSIGN_OR_RETURN(Format out_format, ResolveFormat(args.to, args.output));
  GAGGLE_ASSIGN_OR_RETURN(ReadOptions read_options, MakeReadOptions(args.schema, args.batch_rows));
  read_options.threads = args.threads;  // JSON lines: parsed on that many threads
  WriteOptions write_options;
  if (!args.compression.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(write_options.compression, ParseCompression(args.compression));
  } else {
    // Avro has no zstd codec in avro-c 1.11; snappy is the common choice there.
    write_options.compression = out_format == Format::kAvro ? Compression::kSnappy : Compression::kZstd;
  }
  write_options.row_group_rows = args.row_group_rows;
  write_options.dictionary = args.dictionary;
  write_options.threads = args.threads;

  // Either side may be an s3:// or gs:// object (--s3-endpoint).
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation in, CliResolver()->Resolve(args.input));
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation out, CliResolver()->Resolve(args.output));
  GAGGLE_ASSIGN_OR_RETURN(FileInfo in_info, in.fs->Stat(in.path));
  GAGGLE_ASSIGN_OR_RETURN(auto opened, OpenReader(in.path, in_format, read_options, in.fs));
  std::unique_ptr<BatchReader> reader = MaybePrefetch(std::move(opened), args.threads > 1);
  // Write under a temporary name and rename, so a failed or killed convert never leaves a
  // file that looks complete. An object appears only when its upload completes, so it is
  // written under its own name.
  FileSystem* fs = out.fs;
  const bool local_out = out.fs == FileSystem::Default();
  std::string tmp = local_out ? out.path + ".gaggle-tmp-" + std::to_string(::getpid()) : out.path;
  auto writer_result = OpenWriter(tmp, out_format, reader->schema(), write_options, fs);
  if (!writer_result.ok()) return writer_result.status();
  std::unique_ptr<BatchWriter> writer = std::move(writer_result).value();

  ProgressPrinter progress(!args.quiet && ::isatty(STDERR_FILENO));
  RecordBatch batch;
  int64_t rows = 0;
  Status st;
  while (st.ok()) {
    auto more = reader->Next(&batch);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    rows += static_cast<int64_t>(batch.num_rows());
    st = writer->Consume(&batch);  // the batch is refilled by the next Next
    progress.Maybe([&] {
      return "converted " + HumanCount(static_cast<double>(rows)) + " rows, " +
             HumanBytes(static_cast<double>(writer->bytes_written())) + " written";
    });
  }
  if (st.ok()) st = writer->Finish();
  writer.reset();
  if (st.ok() && local_out) st = fs->Rename(tmp, out.path);
  if (!st.ok()) {
    if (local_out) (void)fs->RemoveFile(tmp);
    return st;
  }
  GAGGLE_ASSIGN_OR_RETURN(FileInfo out_info, fs->Stat(out.path));
  double secs = progress.ElapsedSeconds();
  if (!args.quiet) {
    std::cerr << "gaggle: converted " << rows << " rows " << FormatName(in_format) << " -> " << FormatName(out_format)
              << ", " << HumanBytes(static_cast<double>(in_info.size)) << " -> "
              << HumanBytes(static_cast<double>(out_info.size)) << " in " << secs << " s ("
              << HumanCount(secs > 0 ? static_cast<double>(rows) / secs : 0) << " rows/s, "
              << HumanBytes(secs > 0 ? static_cast<double>(in_info.size) / secs : 0) << "/s)" << std::endl;
  }
  return Status::OK();
}

}  // namespace

void AddInspectCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd =
      app->add_subcommand("inspect", "Show a data file's format, schema, row count, row groups, codecs and statistics");
  cmd->add_option("file", args->path, "Data file (.avro, .csv, .jsonl, .parquet)")->required();
  cmd->add_option("--from", args->from, "Format, when the extension does not tell (avro, csv, jsonl, parquet)");
  cmd->add_option("--schema", args->schema, "Typing for CSV/JSON lines: \"name:type, ...\" (default: inferred)");
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->callback([args, exit_code] { *exit_code = RunInspect(*args); });
}

void AddConvertCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app->add_subcommand(
      "convert", "Convert a data file between formats (Avro, CSV, JSON lines, Parquet, in and out)");
  cmd->add_option("input", args->input, "Input file")->required();
  cmd->add_option("output", args->output, "Output file (written under a temporary name, then renamed)")->required();
  cmd->add_option("--from", args->from, "Input format (default: from the extension)");
  cmd->add_option("--to", args->to, "Output format: parquet, avro, csv, jsonl (default: from the extension)");
  cmd->add_option("--compression", args->compression,
                  "Codec: Parquet zstd (default), snappy, gzip, none; Avro snappy (default), gzip (deflate), none");
  cmd->add_option("--row-group-rows", args->row_group_rows, "Rows per Parquet row group")->capture_default_str();
  cmd->add_option("--batch-rows", args->batch_rows, "Rows per in-memory batch")->capture_default_str();
  cmd->add_option("--schema", args->schema, "Typing for CSV/JSON lines input: \"name:type, ...\" (default: inferred)");
  cmd->add_flag("!--no-dictionary", args->dictionary, "Disable Parquet dictionary encoding");
  cmd->add_option("--threads", args->threads,
                  "N > 1: decode the input on a thread of its own (JSON lines: parse it on N threads) while N "
                  "threads encode and compress the Parquet output's columns (the same bytes as 1); 1: everything "
                  "on one thread")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress or summary on stderr");
  AddObjectStoreOptions(cmd);
  cmd->callback([args, exit_code] {
    Status st = Convert(*args);
    *exit_code = st.ok() ? kExitOk : ReportError(st);
  });
}

}  // namespace gaggle::cli
