// Operator control of a migration's run: pause, resume, cancel and the concurrency
// limit. Each changes the run record (and task states) in the store; a live runner
// polls the record and applies the change within a second, and a run without a runner
// takes it at the next `gaggle run`. The rules:
//  - pause without datasets holds the whole migration (running agents finish their
//    attempt); with datasets it holds only those that wait (pending or retrying);
//  - resume re-queues failed, needs-attention, invalid and paused tasks with a fresh
//    retry budget and un-pauses the run; a completed run with re-queued work runs again;
//  - cancel stops the migration: waiting tasks become cancelled, and running ones too
//    when no runner is alive to stop them (orphans of a dead runner);
//  - concurrency is at least 1.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service/service_context.h"

namespace gaggle::service {

struct PauseRequest {
  std::string migration;
  std::vector<std::string> datasets;  // empty: the whole migration
  std::string reason;                 // default: "paused by <actor>"
};

struct PauseResult {
  std::string migration;
  bool whole_run = true;
  int64_t datasets_requested = 0;
  int64_t datasets_paused = 0;  // when !whole_run
  nlohmann::json ToJson() const;
};

Result<PauseResult> PauseMigration(const ServiceContext& ctx, const PauseRequest& request);

struct ResumeRequest {
  std::string migration;
  std::vector<std::string> datasets;  // empty: every failed, needs-attention, invalid or paused task
  std::string reason;
};

struct ResumeResult {
  std::string migration;
  RunState state = RunState::kRunning;
  int64_t requeued = 0;
  bool runner_alive = false;
  std::string spec_path;  // to tell how to start a runner
  nlohmann::json ToJson() const;
};

Result<ResumeResult> ResumeMigration(const ServiceContext& ctx, const ResumeRequest& request);

struct CancelRequest {
  std::string migration;
  std::string reason;
};

struct CancelResult {
  std::string migration;
  int64_t cancelled = 0;  // waiting (and orphaned running) tasks cancelled
  bool runner_alive = false;
  nlohmann::json ToJson() const;
};

Result<CancelResult> CancelMigration(const ServiceContext& ctx, const CancelRequest& request);

struct ConcurrencyRequest {
  std::string migration;
  int concurrency = 0;
};

struct ConcurrencyResult {
  std::string migration;
  int from = 0;
  int to = 0;
  bool runner_alive = false;
  nlohmann::json ToJson() const;
};

Result<ConcurrencyResult> SetConcurrency(const ServiceContext& ctx, const ConcurrencyRequest& request);

}  // namespace gaggle::service
