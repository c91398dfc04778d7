// Approvals as links. A gate that pauses a migration (a stage's validation gate or the
// final verification; fleet/gate_pause.h) asks for an approval: a link with an id (in
// its URL), the role that may use it and an expiry.
//  - EnsureApprovalLink creates the link for the gate a run is paused at, once per
//    pause (a later pause at the same gate, with a new reason, gets a new link), and
//    records it in the event log with its URL. Webhook messages carry the URL.
//  - A link is open while unused, unexpired and its gate still waits; used once it
//    approved; expired after its expiry (it can never be used then); closed when the
//    gate no longer waits (approved another way, resumed, cancelled).
//  - Approving by link needs the link's role, a reason, an open link, and goes through
//    Approve (gate_operations.h), which records who and why.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/gate_operations.h"
#include "service/service_context.h"
#include "store/control_records.h"

namespace gaggle::service {

struct ApprovalPolicy {
  std::string base_url;             // "https://gaggle.example.com"; the link is BASE/approvals/ID
  int64_t ttl_seconds = 24 * 3600;  // how long a link may be used
  Role role = Role::kOperator;      // who may use it
};

struct ApprovalView {
  ApprovalLink link;
  std::string status;  // open, used, expired, closed
  std::string url;
  nlohmann::json ToJson() const;
};

std::string ApprovalUrl(const ApprovalPolicy& policy, const std::string& id);

// The open link of the gate `migration` is paused at (created when missing), or nullopt
// when the run is not paused by a gate.
Result<std::optional<ApprovalLink>> EnsureApprovalLink(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                                       const std::string& migration);

// Newest first; every migration's when `migration` is empty.
Result<std::vector<ApprovalView>> ListApprovals(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                                const std::string& migration, size_t limit);
Result<ApprovalView> GetApproval(const ServiceContext& ctx, const ApprovalPolicy& policy, const std::string& id);

struct LinkApproveRequest {
  std::string id;
  std::string reason;  // required
  Role caller_role = Role::kViewer;
};

struct LinkApproveResult {
  ApproveResult approved;
  ApprovalView approval;
  nlohmann::json ToJson() const;
};

// Conflict when the caller's role is below the link's (front ends check RoleAllows
// first and answer "forbidden"), or the link is expired, used or closed; otherwise
// approves the gate (as ctx.actor).
Result<LinkApproveResult> ApproveByLink(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                        const LinkApproveRequest& request);

}  // namespace gaggle::service
