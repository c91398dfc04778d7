// Reading where migrations stand: one migration's status (counts by stage and state,
// what needs attention, what runs longest), every migration's summary, pages of
// tasks and of the event log, and the event log's integrity. Reads only: safe at any
// time, also while a runner writes (each read is a snapshot).
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service/service_context.h"

namespace gaggle::service {

struct RunningTask {
  TaskRecord task;
  double seconds = -1;  // since its attempt started (-1 when unknown)
};

struct MigrationStatus {
  MigrationRun run;
  bool runner_alive = false;
  std::vector<StageCounts> stages;
  std::vector<TaskRecord> attention;  // failed, needs-attention and invalid, plan order (at most attention_limit)
  size_t attention_limit = 0;
  std::vector<RunningTask> running;  // longest running first
  // Totals over the stages.
  int64_t datasets = 0, succeeded = 0, rows_out = 0, dead_lettered = 0, bytes = 0, bytes_done = 0;
  nlohmann::json ToJson() const;
};

struct StatusRequest {
  std::string migration;
  size_t attention_limit = 50;
  size_t running_limit = 10;
};

Result<MigrationStatus> GetMigrationStatus(const ServiceContext& ctx, const StatusRequest& request);

struct MigrationSummary {
  MigrationRun run;
  bool runner_alive = false;
  int64_t datasets = 0, succeeded = 0, needs_attention = 0;
  nlohmann::json ToJson() const;
};

Result<std::vector<MigrationSummary>> ListMigrations(const ServiceContext& ctx);

struct TaskPageRequest {
  std::string migration;
  std::vector<TaskState> states;  // empty: every state
  size_t limit = 100;
};

struct TaskPage {
  std::vector<TaskRecord> tasks;  // plan order
  nlohmann::json ToJson() const;
};

Result<TaskPage> ListTaskPage(const ServiceContext& ctx, const TaskPageRequest& request);

struct EventPageRequest {
  std::string migration;  // empty: every migration
  std::string dataset;    // empty: every dataset
  int64_t after_seq = 0;
  size_t limit = 100;
};

struct EventPage {
  std::vector<Event> events;  // oldest first
  int64_t next_after = 0;     // pass as after_seq for the next page (the last seq, or the request's)
  nlohmann::json ToJson() const;
};

Result<EventPage> ListEventPage(const ServiceContext& ctx, const EventPageRequest& request);

nlohmann::json EventJson(const Event& e);
nlohmann::json EventChainJson(const EventChainReport& report);

// Recomputes the event log's hash chain.
Result<EventChainReport> VerifyEvents(const ServiceContext& ctx);

}  // namespace gaggle::service
