// Control-plane records: who may use the HTTP API (tokens and their roles), the
// approval links a gate pause creates, and the filtered page of tasks the API and the
// dashboard read. Plain values, as the control store keeps them (store/control_store.h).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/status.h"
#include "store/fleet_records.h"

namespace gaggle {

// What a token may do. Each role includes the ones before it.
enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };
const char* RoleName(Role r);
Result<Role> ParseRole(std::string_view name);

// A bearer token. Only the SHA-256 of the secret is stored: the secret is shown once,
// when the token is created.
struct ApiToken {
  std::string id;  // public handle: "tok_" + 12 hex digits; used to revoke
  std::string name;
  Role role = Role::kViewer;
  std::string hash;  // SHA-256 hex of the secret
  std::string created_at;
  std::string created_by;
  std::string revoked_at;  // "" while valid
  std::string revoked_by;
  bool revoked() const { return !revoked_at.empty(); }
};

// An approval a gate pause asks for: a link (its id is in the URL), the role that may
// use it and an expiry. Used once; expired links cannot be used.
struct ApprovalLink {
  std::string id;  // "apr_" + 24 hex digits
  std::string migration;
  int stage = 0;  // kFinalGateStage (-1) for the final gate
  Role role = Role::kOperator;
  std::string gate_reason;  // the pause reason at creation
  std::string created_at;
  int64_t expires_ms = 0;  // ms since the epoch
  std::string used_at;     // "" while unused
  std::string used_by;
  std::string use_reason;
  bool used() const { return !used_at.empty(); }
};

// A filter over one migration's tasks. Empty fields match everything.
struct TaskPageQuery {
  std::string migration;
  std::vector<TaskState> states;
  int stage = -1;  // -1: any
  int wave = -1;   // -1: any
  std::string owner;
  std::string tier;
  std::string text;  // a substring of the dataset id
  // Keyset cursor: tasks after (after_stage, after_ordinal) in plan order.
  int after_stage = -1;
  int64_t after_ordinal = -1;
  size_t limit = 100;
  // At most this many tasks are examined per state (bounded work per request); the
  // page may then hold fewer than `limit` tasks and `more` says where to go on.
  size_t max_scan = 20000;
};

struct TaskRow {
  TaskRecord task;
  std::string owner;  // from the catalog ("" when the dataset is no longer in it)
  std::string tier;
};

struct TaskQueryPage {
  std::vector<TaskRow> rows;  // plan order
  bool more = false;          // more tasks may match after the cursor
  int next_stage = -1;        // the cursor to pass as after_stage / after_ordinal
  int64_t next_ordinal = -1;
  int64_t scanned = 0;  // tasks examined
};

// The page from the per-state scans of a task query (both control stores): `rows` (any
// order) sorted into plan order, at most `limit`, and cut at `horizon` (the smallest
// position a scan stopped at, when `any_stopped`), since a stopped scan may hide matches
// after it; `more` and the cursor say where the next page starts.
void AssembleTaskPage(std::vector<TaskRow> rows, size_t limit, bool any_stopped, std::tuple<int, int64_t> horizon,
                      TaskQueryPage* page);

}  // namespace gaggle
