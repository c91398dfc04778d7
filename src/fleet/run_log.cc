#include "fleet/run_log.h"

#include <algorithm>
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

std::string RunLog::RunLogPathFor(const std::string& dir, const std::string& migration, const std::string& writer,
                                  uint64_t part) {
  if (writer.empty()) return dir + "/" + SafeFileName(migration) + "/run.jsonl";
  const std::string base = dir + "/" + SafeFileName(migration) + "/runs/" + SafeFileName(writer);
  if (part <= 1) return base + ".jsonl";
  // ".part-" sorts after ".jsonl" ('p' > 'j'), and six digits keep the parts in order.
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, ".part-%06llu.jsonl", static_cast<unsigned long long>(part));
  return base + suffix;
}

std::vector<std::string> RunLog::RunLogFilesFor(const std::string& dir, const std::string& migration) {
  std::vector<std::string> out;
  std::error_code ec;
  if (std::filesystem::is_regular_file(RunLogPathFor(dir, migration), ec)) out.push_back(RunLogPathFor(dir, migration));
  std::vector<std::string> writers;
  const std::string runs = dir + "/" + SafeFileName(migration) + "/runs";
  for (auto it = std::filesystem::directory_iterator(runs, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".jsonl") writers.push_back(it->path().string());
  }
  std::sort(writers.begin(), writers.end());
  out.insert(out.end(), writers.begin(), writers.end());
  return out;
}

std::string RunLog::SegmentsDir(const std::string& dir, const std::string& migration, const std::string& writer) {
  return writer.empty() ? TaskLogDirFor(dir, migration) : TaskLogDirFor(dir, migration) + "/" + SafeFileName(writer);
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
  const std::string& where = options_.shown_location.empty() ? dir_ : options_.shown_location;
  return "gaggle logs " + ShellWord(migration_) + " " + ShellWord(dataset) + " --logs " + ShellWord(where);
}
std::string RunLog::AgentLogPathFor(const std::string& dir, const std::string& migration, const std::string& dataset) {
  return dir + "/" + SafeFileName(migration) + "/tasks/" + SafeFileName(dataset) + ".agent.log";
}

Result<std::unique_ptr<RunLog>> RunLog::Open(const std::string& dir, const std::string& migration, Clock* clock,
                                             uint64_t segment_bytes) {
  RunLogOptions options;
  options.clock = clock;
  options.segment_bytes = segment_bytes;
  return Open(dir, migration, std::move(options));
}

Result<std::unique_ptr<RunLog>> RunLog::Open(const std::string& dir, const std::string& migration,
                                             RunLogOptions options) {
  // tasks/ holds external agents' own output (AgentLogPathFor); task-log/ the segments.
  const std::string run_path = RunLogPathFor(dir, migration, options.writer);
  for (const std::string& d :
       {dir + "/" + SafeFileName(migration) + "/tasks", SegmentsDir(dir, migration, options.writer),
        std::filesystem::path(run_path).parent_path().string()}) {
    std::error_code ec;
    std::filesystem::create_directories(d, ec);
    if (ec) return Status::IOError("cannot create log directory '" + d + "': " + ec.message());
  }
  std::FILE* f = std::fopen(run_path.c_str(), "a");
  if (!f) return Status::IOError("cannot open log '" + run_path + "': " + std::strerror(errno));
  std::unique_ptr<RunLog> log(new RunLog(dir, migration, f, std::move(options)));
  if (log->options_.on_file_closed) {
    RunLog* l = log.get();
    MutexLock lock(&log->mu_);
    log->segments_.set_on_closed([l](const std::string& segment, const std::string& index) {
      l->HandOver({segment, index});
    });
  }
  if (log->options_.on_file_closed && !log->options_.writer.empty() && log->options_.publish_every.count() > 0) {
    RunLog* l = log.get();
    const int64_t start = l->clock_->MonotonicMicros();
    log->publisher_ = std::thread([l, start] { l->PublishPeriodically(start); });
  }
  return log;
}

RunLog::~RunLog() {
  {
    MutexLock lock(&mu_);
    closing_ = true;
  }
  closing_cv_.SignalAll();
  if (publisher_.joinable()) publisher_.join();
  MutexLock lock(&mu_);
  Status closed = segments_.Close();
  if (!closed.ok()) ReportWriteError(closed.message());
  if (run_file_) std::fclose(run_file_);
  if (options_.on_file_closed) options_.on_file_closed(RunPath());
}

std::string RunLog::NextPartLocked() {
  if (!part_has_lines_) return "";
  const std::string closed = RunPath();
  const std::string next = RunLogPathFor(dir_, migration_, options_.writer, part_ + 1);
  std::FILE* f = std::fopen(next.c_str(), "a");
  if (!f) {
    ReportWriteError("cannot open log '" + next + "': " + std::strerror(errno));
    return "";
  }
  if (std::fclose(run_file_) != 0) ReportWriteError("cannot close log '" + closed + "': " + std::strerror(errno));
  run_file_ = f;
  ++part_;
  part_has_lines_ = false;
  return closed;
}

std::vector<std::string> RunLog::PublishLocked() {
  std::vector<std::string> files;
  if (std::string part = NextPartLocked(); !part.empty()) files.push_back(std::move(part));
  Result<std::vector<std::string>> live = segments_.PublishOpen(options_.live_segment_bytes);
  if (!live.ok()) {
    ReportWriteError(live.status().message());
  } else {
    files.insert(files.end(), live->begin(), live->end());
  }
  return files;
}

void RunLog::HandOver(const std::vector<std::string>& files) {
  MutexLock lock(&upload_mu_);
  for (const std::string& f : files) options_.on_file_closed(f);
}

void RunLog::PublishPeriodically(int64_t start) {
  const int64_t period = std::chrono::duration_cast<std::chrono::microseconds>(options_.publish_every).count();
  mu_.Lock();
  int64_t deadline = start + period;
  while (!closing_) {
    clock_->WaitUntil(&closing_cv_, &mu_, deadline);
    const int64_t now = clock_->MonotonicMicros();
    if (closing_ || now < deadline) continue;
    // The next multiple of the period from the start: a late wake-up skips, never drifts.
    deadline = start + ((now - start) / period + 1) * period;
    const std::vector<std::string> files = PublishLocked();
    if (files.empty()) continue;
    // Uploaded without the lock: nothing writes a closed part, a segment is only appended
    // to (an upload reading it meanwhile takes a longer version of the same bytes), and
    // logging goes on.
    mu_.Unlock();
    HandOver(files);
    mu_.Lock();
  }
  mu_.Unlock();
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

void RunLog::WriteRunLine(const std::string& line) {
  part_has_lines_ = true;
  if (std::fwrite(line.data(), 1, line.size(), run_file_) != line.size() || std::fflush(run_file_) != 0) {
    ReportWriteError("cannot write log '" + RunPath() + "': " + std::strerror(errno));
  }
}

void RunLog::Run(const std::string& level, const std::string& event, nlohmann::json fields) {
  std::string line = Line("", level, event, std::move(fields));
  MutexLock lock(&mu_);
  WriteRunLine(line);
}

void RunLog::Task(const std::string& dataset, const std::string& level, const std::string& event,
                  nlohmann::json fields) {
  std::string line = Line(dataset, level, event, std::move(fields));
  MutexLock lock(&mu_);
  WriteRunLine(line);
  Status st = segments_.Append(dataset, line);
  if (!st.ok()) ReportWriteError(st.message());
}

}  // namespace gaggle
