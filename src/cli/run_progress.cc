#include "cli/run_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/cli_support.h"

namespace gaggle::cli {

std::vector<std::string> StageLines(const std::vector<StageCounts>& stages, int current_stage, int bar_width) {
  std::vector<std::string> lines;
  for (const StageCounts& c : stages) {
    const int64_t total = c.total();
    const int64_t ok = c.done();
    int64_t settled = 0;
    for (int k = 0; k < kNumTaskStates; ++k) {
      if (IsSettled(static_cast<TaskState>(k)) && static_cast<TaskState>(k) != TaskState::kPaused) {
        settled += c.by_state[k];
      }
    }
    std::string bar;
    if (bar_width > 0) {
      int filled = total ? static_cast<int>(static_cast<double>(bar_width) * static_cast<double>(settled) /
                                            static_cast<double>(total))
                         : bar_width;
      bar = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] ";
    }
    char line[256];
    std::snprintf(line, sizeof(line), "%s stage %-2d %s%6lld/%-6lld ok", c.stage == current_stage ? ">" : " ", c.stage,
                  bar.c_str(), static_cast<long long>(ok), static_cast<long long>(total));
    std::string s = line;
    auto add = [&](const char* name, TaskState st) {
      if (int64_t n = c.count(st)) s += "  " + std::string(name) + " " + std::to_string(n);
    };
    add("running", TaskState::kRunning);
    add("validating", TaskState::kValidating);
    add("retrying", TaskState::kRetrying);
    add("pending", TaskState::kPending);
    add("failed", TaskState::kFailed);
    add("needs-attention", TaskState::kNeedsAttention);
    add("invalid", TaskState::kInvalid);
    add("paused", TaskState::kPaused);
    add("cancelled", TaskState::kCancelled);
    add("rolled-back", TaskState::kRolledBack);
    if (c.dead_lettered) s += "  dead-lettered " + HumanCount(static_cast<double>(c.dead_lettered));
    lines.push_back(s);
  }
  return lines;
}

namespace {

// The first line of `text`, at most 120 characters (a gate's reason lists every dataset).
std::string Shortened(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 120) line = line.substr(0, 117) + "...";
  return line;
}

}  // namespace

RunProgressDisplay::RunProgressDisplay(bool enabled, bool live) : enabled_(enabled), live_(live) {}

void RunProgressDisplay::Update(const FleetSnapshot& snap) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  auto interval = live_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
  if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < interval) return;
  last_ = now;
  const double rate = snap.elapsed_seconds > 0 ? static_cast<double>(snap.rows_done) / snap.elapsed_seconds : 0;
  std::string head =
      snap.migration + ": " + RunStateName(snap.state) +
      (snap.state != RunState::kRunning && !snap.state_reason.empty() ? " (" + Shortened(snap.state_reason) + ")"
                                                                      : "") +
      ", " + HumanDuration(snap.elapsed_seconds) + ", " + HumanCount(rate) + " rows/s, " +
      HumanBytes(static_cast<double>(snap.bytes_done)) + " done, " + HumanBytes(static_cast<double>(snap.bytes_left)) +
      " left, ETA " + (snap.eta_seconds < 0 ? std::string("?") : HumanDuration(snap.eta_seconds)) + ", concurrency " +
      std::to_string(snap.concurrency) + (snap.retries ? ", " + std::to_string(snap.retries) + " retries" : "");
  if (!live_) {
    int64_t ok = 0, total = 0, attention = 0;
    for (const StageCounts& c : snap.stages) {
      ok += c.done();
      total += c.total();
      attention += c.failing();
    }
    std::cerr << "gaggle: " << head << "; stage " << snap.current_stage << "; " << ok << "/" << total << " succeeded, "
              << snap.running.size() << " running, " << attention << " need attention" << std::endl;
    return;
  }
  std::vector<std::string> lines;
  lines.push_back(head);
  for (std::string& l : StageLines(snap.stages, snap.current_stage, 30)) lines.push_back(std::move(l));
  size_t shown = 0;
  for (const FleetSnapshot::Running& r : snap.running) {
    if (shown++ == 3) break;
    lines.push_back("   running " + r.dataset + " (attempt " + std::to_string(r.attempt) + ", " +
                    HumanDuration(r.seconds) + ", " + HumanCount(static_cast<double>(r.rows)) + " rows)");
  }
  std::string out;
  if (lines_drawn_ > 0) out += "\033[" + std::to_string(lines_drawn_) + "F";  // to the first line drawn
  for (const std::string& l : lines) out += "\033[2K" + l + "\n";
  // Clear lines left over from a taller frame.
  for (int k = static_cast<int>(lines.size()); k < lines_drawn_; ++k) out += "\033[2K\n";
  int drawn = std::max(lines_drawn_, static_cast<int>(lines.size()));
  std::cerr << out << std::flush;
  lines_drawn_ = drawn;
}

void RunProgressDisplay::Finish() {
  if (!enabled_ || !live_) return;
  lines_drawn_ = 0;
}

}  // namespace gaggle::cli
