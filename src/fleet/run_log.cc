#include "fleet/run_log.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/digest.h"
#include "common/iso8601.h"

namespace gaggle {

std::string RunLog::SafeFileName(const std::string& id) {
  std::string out;
  bool changed = id.empty();
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
    changed |= !ok;
  }
  if (out.size() > 120) {
    out.resize(120);
    changed = true;
  }
  if (!out.empty() && out[0] == '.') {
    out[0] = '_';
    changed = true;
  }
  if (changed) out += "-" + Sha256Hex(id).substr(0, 8);
  return out;
}

std::string RunLog::RunLogPathFor(const std::string& dir, const std::string& migration) {
  return dir + "/" + SafeFileName(migration) + "/run.jsonl";
}
std::string RunLog::TaskLogDirFor(const std::string& dir, const std::string& migration) {
  return dir + "/" + SafeFileName(migration) + "/task-log";
}
std::string RunLog::LegacyTaskLogPathFor(const std::string& dir, const std::string& migration,
                                         const std::string& dataset) {
  return dir + "/" + SafeFileName(migration) + "/tasks/" + SafeFileName(dataset) + ".jsonl";
}

namespace {
std::string ShellWord(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) plain &= std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._-/:=@+", c) != nullptr;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

std::string RunLog::TaskLogCommand(const std::string& dataset) const {
  return "gaggle logs " + ShellWord(migration_) + " " + ShellWord(dataset) + " --logs " + ShellWord(dir_);
}
std::string RunLog::AgentLogPathFor(const std::string& dir, const std::string& migration, const std::string& dataset) {
  return dir + "/" + SafeFileName(migration) + "/tasks/" + SafeFileName(dataset) + ".agent.log";
}

Result<std::unique_ptr<RunLog>> RunLog::Open(const std::string& dir, const std::string& migration, Clock* clock,
                                             uint64_t segment_bytes) {
  // tasks/ holds external agents' own output (AgentLogPathFor); task-log/ the segments.
  for (const std::string& d : {dir + "/" + SafeFileName(migration) + "/tasks", TaskLogDirFor(dir, migration)}) {
    std::error_code ec;
    std::filesystem::create_directories(d, ec);
    if (ec) return Status::IOError("cannot create log directory '" + d + "': " + ec.message());
  }
  std::string path = RunLogPathFor(dir, migration);
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::IOError("cannot open log '" + path + "': " + std::strerror(errno));
  return std::unique_ptr<RunLog>(new RunLog(dir, migration, f, clock ? clock : Clock::System(), segment_bytes));
}

RunLog::~RunLog() {
  MutexLock lock(&mu_);
  Status closed = segments_.Close();
  if (!closed.ok()) ReportWriteError(closed.message());
  if (run_file_) std::fclose(run_file_);
}

std::string RunLog::Line(const std::string& dataset, const std::string& level, const std::string& event,
                         nlohmann::json fields) const {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = Iso8601Millis(clock_->NowMicros());
  line["level"] = level;
  line["event"] = event;
  line["migration"] = migration_;
  if (!dataset.empty()) line["dataset"] = dataset;
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void RunLog::ReportWriteError(const std::string& what) {
  if (reported_) return;
  reported_ = true;
  std::cerr << "gaggle: warning: " << what << " (logging continues where it can)\n";
}

void RunLog::Run(const std::string& level, const std::string& event, nlohmann::json fields) {
  std::string line = Line("", level, event, std::move(fields));
  MutexLock lock(&mu_);
  if (std::fwrite(line.data(), 1, line.size(), run_file_) != line.size() || std::fflush(run_file_) != 0) {
    ReportWriteError("cannot write log '" + RunLogPathFor(dir_, migration_) + "': " + std::strerror(errno));
  }
}

void RunLog::Task(const std::string& dataset, const std::string& level, const std::string& event,
                  nlohmann::json fields) {
  std::string line = Line(dataset, level, event, std::move(fields));
  MutexLock lock(&mu_);
  if (std::fwrite(line.data(), 1, line.size(), run_file_) != line.size() || std::fflush(run_file_) != 0) {
    ReportWriteError("cannot write log '" + RunLogPathFor(dir_, migration_) + "': " + std::strerror(errno));
  }
  Status st = segments_.Append(dataset, line);
  if (!st.ok()) ReportWriteError(st.message());
}

}  // namespace gaggle
