// ControlStore: the records of the HTTP control plane — API tokens (hashes only),
// approval links with expiry — and the filtered, paged task query the API serves.
// Kept apart from StateStore so that a second backend maps these few methods and the
// rules stay above, in src/service/ (token_operations.h, approval_operations.h).
//
// Contract for every implementation:
//  - every write method is one transaction;
//  - the secret of a token is never stored or returned, only its hash;
//  - MarkApprovalUsed is a compare-and-set: it succeeds once per link, and never on a
//    link that has expired at `now_ms`.
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/control_records.h"

namespace gaggle {

class ControlStore {
 public:
  virtual ~ControlStore() = default;

  // --- Tokens ---------------------------------------------------------------
  // AlreadyExists when a valid (not revoked) token has the same name.
  virtual Status InsertToken(const ApiToken& token) = 0;
  // The token with this hash, revoked or not; nullopt when none.
  virtual Result<std::optional<ApiToken>> FindTokenByHash(const std::string& hash) = 0;
  // Every token, oldest first (revoked ones too).
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  // Revokes the valid token whose id or name is `id_or_name`. NotFound when none.
  virtual Result<ApiToken> RevokeToken(const std::string& id_or_name, const std::string& time,
                                       const std::string& actor) = 0;

  // --- Approval links -------------------------------------------------------
  virtual Status InsertApprovalLink(const ApprovalLink& link) = 0;
  virtual Result<std::optional<ApprovalLink>> FindApprovalLink(const std::string& id) = 0;
  // Newest first; every migration's when `migration` is empty.
  virtual Result<std::vector<ApprovalLink>> ListApprovalLinks(const std::string& migration, size_t limit) = 0;
  // Marks an unused, unexpired link used. Conflict when it was used already,
  // FailedPrecondition-like InvalidArgument when expired, NotFound when unknown.
  virtual Result<ApprovalLink> MarkApprovalUsed(const std::string& id, int64_t now_ms, const std::string& time,
                                                const std::string& actor, const std::string& reason) = 0;

  // --- Tasks ----------------------------------------------------------------
  // One page of a migration's tasks matching `query`, in plan order (stage, ordinal),
  // after the query's cursor, with each dataset's owner and tier from the catalog.
  virtual Result<TaskQueryPage> QueryTasks(const TaskPageQuery& query) = 0;
  // The sequence number of the newest event (0 when none): a cheap change marker.
  virtual Result<int64_t> LastEventSeq() = 0;
};

// Opens the control store that lives with the state store at `location`, chosen by it as
// OpenStateStore chooses: a PostgreSQL URL (postgres://...) opens PostgresControlStore in
// that database (schema migration 3), anything else SqliteControlStore in that SQLite
// file (schema migration 8). Missing schema migrations are applied.
Result<std::unique_ptr<ControlStore>> OpenControlStore(const std::string& location);

}  // namespace gaggle
