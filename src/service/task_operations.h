// Datasets and tasks as the control plane reads and steers them:
//  - a filtered, paged view of one migration's tasks (state, stage, wave, owner, tier,
//    text), keyset-paged in plan order with bounded work per page (store/control_store.h);
//  - one dataset's detail: its task, attempts with timing and errors (from the event
//    log), the tail of its logs, the latest validation report with every check's
//    figures, the verifications that touched it, its cut-over with the previous
//    location and retention, and its catalog entry;
//  - one needs-attention queue across all migrations, with the last error and what to do;
//  - bulk actions by filter: pause, retry or roll back every matching dataset in one
//    audited call (one "bulk-ACTION" event with the filter and the counts, plus the
//    per-dataset events of the operation it calls).
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/service_context.h"
#include "store/control_records.h"

namespace gaggle::service {

inline constexpr size_t kMaxTaskPageLimit = 1000;

// InvalidArgument when the limit is 0 or above kMaxTaskPageLimit, or the run is unknown.
Result<TaskQueryPage> QueryTaskPage(const ServiceContext& ctx, const TaskPageQuery& query);
nlohmann::json TaskRowJson(const TaskRow& row);
nlohmann::json TaskQueryPageJson(const TaskQueryPage& page);

struct DatasetDetailRequest {
  std::string migration;
  std::string dataset;
  size_t log_tail = 100;
};

struct DatasetDetail {
  TaskRecord task;
  std::optional<Entity> entity;
  nlohmann::json attempts = nlohmann::json::array();
  nlohmann::json events = nlohmann::json::array();
  nlohmann::json validation;  // null when none
  nlohmann::json verifications = nlohmann::json::array();
  nlohmann::json cutover;  // null when none
  // The consumer patches (verify/query_patch.h) that change a query reading this
  // dataset: [{consumer file, unified diff}], at most 20, each cut at 64 KiB.
  nlohmann::json patches = nlohmann::json::array();
  std::vector<std::string> task_log, agent_log;
  nlohmann::json ToJson() const;
};

Result<DatasetDetail> GetDatasetDetail(const ServiceContext& ctx, const DatasetDetailRequest& request);

struct AttentionRequest {
  size_t limit = 100;
  std::string after_migration;  // cursor: items after (migration, stage, ordinal)
  int after_stage = -1;
  int64_t after_ordinal = -1;
};

struct AttentionItem {
  TaskRow row;
  std::string advice;  // what to do
};

struct AttentionPage {
  std::vector<AttentionItem> items;
  bool more = false;
  std::string next_migration;
  int next_stage = -1;
  int64_t next_ordinal = -1;
  nlohmann::json ToJson() const;
};

// What an operator should do about a task in `state` (failed, needs-attention, invalid).
std::string AttentionAdvice(TaskState state);
Result<AttentionPage> ListAttention(const ServiceContext& ctx, const AttentionRequest& request);

enum class BulkAction { kPause, kRetry, kRollback };
Result<BulkAction> ParseBulkAction(const std::string& name);
const char* BulkActionName(BulkAction a);

struct BulkRequest {
  BulkAction action = BulkAction::kPause;
  TaskPageQuery filter;          // migration, states, stage, wave, owner, tier, text
  std::string reason;            // required
  size_t max_datasets = 100000;  // refuse a larger match (InvalidArgument): narrow the filter
};

struct BulkResult {
  std::string migration;
  BulkAction action = BulkAction::kPause;
  int64_t matched = 0;
  int64_t changed = 0;
  nlohmann::json detail;  // the underlying operation's result
  nlohmann::json ToJson() const;
};

Result<BulkResult> RunBulkAction(const ServiceContext& ctx, const BulkRequest& request);

}  // namespace gaggle::service
