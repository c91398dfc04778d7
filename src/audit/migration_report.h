// MigrationReport: a human summary of one migration for a team lead — what ran when,
// how each stage ended, what the gates decided and who approved what, dead letters,
// retries, what needs attention, downstream verification, cut-over and retention.
// Built from the state store alone (Build), rendered as plain text or as one
// self-contained HTML page (no scripts, no external assets).
// Thread-safety: Build reads the store; rendering is pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/state_store.h"

namespace gaggle {

struct MigrationReport {
  struct Moment {
    std::string time;
    std::string what;
  };
  struct DatasetLine {
    std::string dataset;
    std::string text;
  };

  MigrationRun run;
  std::vector<Moment> timeline;  // run-level events, oldest first
  std::vector<StageCounts> stages;
  std::vector<Moment> gates;  // gate decisions and approvals
  int64_t tasks = 0, done = 0, attention = 0;
  int64_t rows_in = 0, rows_out = 0, dead_lettered = 0, filtered = 0, bytes_out = 0;
  int64_t retried_tasks = 0, retries = 0;
  std::vector<DatasetLine> top_dead_letters;       // most dead letters first
  std::vector<DatasetLine> top_retries;            // most attempts first
  std::vector<DatasetLine> needs_attention;        // failed, needs-attention, invalid: with the error
  std::vector<VerificationRecord> verifications;   // oldest first
  std::vector<std::string> verification_problems;  // latest verification's failed checks, one line each
  int64_t cut_current = 0, cut_rolled_back = 0, cut_collected = 0;
  std::string retain_until;  // latest deadline of current cut-overs
  std::string first_start, last_finish;

  static Result<MigrationReport> Build(StateStore* store, const std::string& migration);
  std::string ToText() const;
  std::string ToHtml() const;
};

}  // namespace gaggle
