#include "agent/external_agent.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "agent/process_runner.h"
#include "columnar/value_format.h"
#include "common/digest.h"
#include "dataset/format_table.h"

namespace gaggle {
namespace {

constexpr int kExitRetryable = 75;

nlohmann::json YamlToJson(const YAML::Node& node, int depth) {
  if (depth > 64) return nullptr;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& kv : node) j[kv.first.as<std::string>()] = YamlToJson(kv.second, depth + 1);
      return j;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& item : node) j.push_back(YamlToJson(item, depth + 1));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "!") {  // unquoted scalars may be numbers or booleans
        int64_t i;
        double d;
        if (ParseInt64(s, &i)) return i;
        if (s == "true" || s == "false") return s == "true";
        if (ParseDouble(s, &d) && std::isfinite(d)) return d;
        if (s == "null" || s == "~") return nullptr;
      }
      return s;
    }
    default: return nullptr;
  }
}

}  // namespace

Result<nlohmann::json> SpecFileAsJson(const MigrationSpec& spec) {
  GAGGLE_ASSIGN_OR_RETURN(std::string text, ReadFileToString(FileSystem::Default(), spec.origin));
  try {
    return YamlToJson(YAML::Load(text), 0);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(spec.origin + ": " + e.what());
  }
}

Result<std::unique_ptr<ExternalAgent>> ExternalAgent::Make(const MigrationSpec& spec) {
  std::filesystem::path exec(spec.agent.exec);
  if (exec.is_relative() && !spec.base_dir.empty()) exec = std::filesystem::path(spec.base_dir) / exec;
  std::string path = exec.lexically_normal().string();
  if (spec.agent.version.empty()) {
    return Status::InvalidArgument("agent.exec '" + spec.agent.exec +
                                   "' needs agent.version (recorded with its digest)");
  }
  auto digest = Sha256File(FileSystem::Default(), path);
  if (!digest.ok()) return digest.status().WithContext("agent executable");
  AgentIdentity id{exec.filename().string(), spec.agent.version, "sha256:" + *digest};
  return std::unique_ptr<ExternalAgent>(new ExternalAgent(spec, path, std::move(id)));
}

Result<StagedOutput> ExternalAgent::Stage(const AgentTask& task, const InputFingerprint& input,
                                          const std::string& staging_dir, const CancellationToken& token,
                                          const ProgressCallback& progress) {
  if (task.input_path.find("://") != std::string::npos) {
    // The protocol hands the executable local file paths; an object-store source has none.
    return Status::Unsupported("external agent '" + identity().name + "' reads local files only; the source " +
                               task.input_path + " is on an object store (the built-in agent reads it)");
  }
  nlohmann::json request;
  request["protocol"] = 1;
  request["migration"] = task.migration;
  request["dataset"] = task.dataset_id;
  request["attempt"] = task.attempt;
  if (token.deadline()) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*token.deadline() - CancellationToken::Clock::now());
    auto wall = std::chrono::system_clock::now() + left;
    request["timeout_seconds"] = static_cast<double>(left.count()) / 1000.0;
    request["deadline"] =
        FormatTimestamp(std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count());
  } else {
    request["timeout_seconds"] = nullptr;
    request["deadline"] = nullptr;
  }
  nlohmann::json files = nlohmann::json::array();
  for (const InputFile& f : input.files) {
    Format format = task.input_format.value_or(Format::kParquet);
    if (!task.input_format) {
      GAGGLE_ASSIGN_OR_RETURN(format, FormatFromPath(f.path));
    }
    files.push_back({{"path", f.path}, {"relative_path", f.relative_path}, {"format", FormatName(format)}});
  }
  request["source"] = {{"path", task.input_path}, {"files", files}};
  request["target"] = {{"directory", staging_dir},
                       {"format", FormatName(spec_.target.format)},
                       {"compression", CompressionName(spec_.target.compression)}};
  request["dead_letter_path"] = staging_dir + "/" + kDeadLetterFileName;
  GAGGLE_ASSIGN_OR_RETURN(request["spec"], SpecFileAsJson(spec_));

  ProcessOptions options;
  options.argv.push_back(exec_path_);
  for (const std::string& a : spec_.agent.args) options.argv.push_back(a);
  options.stdin_data = request.dump() + "\n";
  options.stderr_path = task.log_path;

  std::optional<nlohmann::json> result_line;
  std::string protocol_error;
  auto outcome = RunProcess(options, token, [&](const std::string& line) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("type")) return;  // free text: ignored (stderr is the log)
    if (j["type"] == "progress" && progress) {
      AgentProgress p;
      if (j.contains("rows") && j["rows"].is_number_integer()) p.rows = j["rows"].get<int64_t>();
      progress(p);
    } else if (j["type"] == "result") {
      if (result_line) protocol_error = "agent printed more than one result line";
      result_line = j;
    }
  });
  if (!outcome.ok()) return outcome.status();
  const std::string who = "agent '" + identity_.name + "'";
  if (outcome->timed_out) return Status::Timeout(who + " exceeded its timeout and was stopped");
  if (outcome->cancelled) return Status::Cancelled(who + " was cancelled");
  if (outcome->signaled) {
    return Status::AgentError(who + " was killed by signal " + std::to_string(outcome->signal), /*retryable=*/true);
  }
  if (outcome->exit_code == kExitRetryable) {
    return Status::AgentError(who + " reported a retryable failure (exit 75); see the task log", /*retryable=*/true);
  }
  if (outcome->exit_code != 0) {
    return Status::AgentError(who + " failed permanently (exit " + std::to_string(outcome->exit_code) +
                              "); see the task log");
  }
  if (!protocol_error.empty()) return Status::AgentError(who + ": " + protocol_error);
  if (!result_line) return Status::AgentError(who + " exited 0 without printing a result line");
  StagedOutput staged;
  try {
    const nlohmann::json& r = *result_line;
    staged.counts.rows_in = r.at("rows_in").get<int64_t>();
    staged.counts.rows_out = r.at("rows_out").get<int64_t>();
    staged.counts.dead_lettered = r.value("dead_lettered", int64_t{0});
    staged.counts.filtered = r.value("filtered", int64_t{0});
    staged.message = r.value("message", std::string());
  } catch (const nlohmann::json::exception& e) {
    return Status::AgentError(who + ": malformed result line: " + e.what());
  }
  return staged;
}

}  // namespace gaggle
