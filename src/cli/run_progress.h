// RunProgressDisplay: shows a running migration. On a terminal it redraws, a few
// times a second, one bar per stage with counts by state, rows/s, ETA and the
// longest-running tasks; otherwise (a pipe, a CI log) it prints one plain line
// every few seconds. Also renders the same counts for `gaggle status`.
// Thread-safety: call from one thread.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "fleet/fleet_runner.h"

namespace gaggle::cli {

class RunProgressDisplay {
 public:
  // `live`: redraw in place (stderr is a terminal). Disabled displays print nothing.
  RunProgressDisplay(bool enabled, bool live);
  void Update(const FleetSnapshot& snapshot);
  // Clears the live area so a summary can follow.
  void Finish();

 private:
  bool enabled_;
  bool live_;
  int lines_drawn_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

// "stage 2 [#######.....]  41/120  running 2  retrying 1  attention 0" lines, one per stage.
std::vector<std::string> StageLines(const std::vector<StageCounts>& stages, int current_stage, int bar_width);

}  // namespace gaggle::cli
