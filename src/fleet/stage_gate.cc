#include "fleet/stage_gate.h"

#include <cstdio>

namespace gaggle {
namespace {

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g%%", fraction * 100);
  return buf;
}

}  // namespace

std::string GateDecision::Summary(size_t max_listed) const {
  std::string where = at_percent >= 100 ? "at its end" : "at " + Percent(at_percent / 100);
  std::string s = "stage " + std::to_string(stage) + " gate " + (passed ? "passed" : "failed") + " " + where + ": " +
                  std::to_string(failing) + " of " + std::to_string(at_percent >= 100 ? datasets : settled) +
                  (at_percent >= 100 ? " datasets" : " settled datasets") + " failing (" + Percent(failing_fraction) +
                  (passed ? " <= " : " > ") + "max_failed_datasets " + Percent(threshold) + ")";
  if (approved) s += ", approved by an operator";
  for (size_t i = 0; i < failures.size() && i < max_listed; ++i) {
    // The first line of each reason, capped: the full errors are in status and the logs.
    std::string reason = failures[i].reason.substr(0, failures[i].reason.find('\n'));
    if (reason.size() > 160) reason = reason.substr(0, 157) + "...";
    s += (i == 0 ? ": " : "; ") + failures[i].dataset + " [" + TaskStateName(failures[i].state) +
         (reason.empty() ? "" : ": " + reason) + "]";
  }
  if (failures.size() > max_listed) s += "; and " + std::to_string(failures.size() - max_listed) + " more";
  return s;
}

GateDecision EvaluateStageGate(const GatesSpec& gates, int stage, double at_percent,
                               const std::vector<GateDataset>& tasks, bool approved) {
  GateDecision d;
  d.stage = stage;
  d.at_percent = at_percent;
  d.threshold = gates.max_failed_datasets;
  d.datasets = static_cast<int64_t>(tasks.size());
  for (const GateDataset& t : tasks) {
    if (IsSettled(t.state)) ++d.settled;
    if (FailsGate(t.state)) {
      ++d.failing;
      d.failures.push_back(t);
    }
  }
  const int64_t base = at_percent >= 100 ? d.datasets : d.settled;
  d.failing_fraction = base > 0 ? static_cast<double>(d.failing) / static_cast<double>(base) : 0;
  d.passed = d.failing_fraction <= d.threshold + 1e-12;
  if (!d.passed && approved) {
    d.passed = true;
    d.approved = true;
  }
  return d;
}

std::vector<double> ReachedMilestones(const GatesSpec& gates, double settled_fraction, size_t done) {
  std::vector<double> out;
  for (size_t i = done; i < gates.milestones.size(); ++i) {
    double m = gates.milestones[i];
    if (m >= 100) break;
    if (settled_fraction * 100 + 1e-9 >= m) out.push_back(m);
  }
  return out;
}

}  // namespace gaggle
