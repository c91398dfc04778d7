#include "service/approval_operations.h"

#include <openssl/rand.h>

#include "fleet/gate_pause.h"
#include "service/token_operations.h"

namespace gaggle::service {
namespace {

int64_t NowMillis(const ServiceContext& ctx) { return ctx.clock->NowMicros() / 1000; }

Result<std::string> NewLinkId() {
  unsigned char raw[12];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("the system's random generator failed");
  static const char* kHex = "0123456789abcdef";
  std::string id = "apr_";
  for (unsigned char c : raw) {
    id += kHex[c >> 4];
    id += kHex[c & 15];
  }
  return id;
}

std::string StatusOf(const ApprovalLink& l, const std::optional<MigrationRun>& run, int64_t now_ms) {
  if (l.used()) return "used";
  if (now_ms >= l.expires_ms) return "expired";
  if (run) {
    const std::optional<int> gate = PausedAtGate(*run);
    if (gate && *gate == l.stage && run->state_reason == l.gate_reason) return "open";
  }
  return "closed";
}

Result<ApprovalView> View(const ServiceContext& ctx, const ApprovalPolicy& policy, ApprovalLink link) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, ctx.store->FindRun(link.migration));
  ApprovalView v;
  v.status = StatusOf(link, run, NowMillis(ctx));
  v.url = ApprovalUrl(policy, link.id);
  v.link = std::move(link);
  return v;
}

}  // namespace

std::string ApprovalUrl(const ApprovalPolicy& policy, const std::string& id) {
  std::string base = policy.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/approvals/" + id;
}

nlohmann::json ApprovalView::ToJson() const {
  return {{"id", link.id},
          {"migration", link.migration},
          {"gate", link.stage == kFinalGateStage ? nlohmann::json("final") : nlohmann::json(link.stage)},
          {"role", RoleName(link.role)},
          {"reason", link.gate_reason},
          {"created_at", link.created_at},
          {"expires_ms", link.expires_ms},
          {"status", status},
          {"url", url},
          {"used_at", link.used_at},
          {"used_by", link.used_by},
          {"use_reason", link.use_reason}};
}

Result<std::optional<ApprovalLink>> EnsureApprovalLink(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                                       const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "approval links"));
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, migration));
  const std::optional<int> gate = PausedAtGate(run);
  if (!gate) return std::optional<ApprovalLink>();
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ApprovalLink> links, control->ListApprovalLinks(migration, 20));
  for (const ApprovalLink& l : links) {
    if (l.stage == *gate && l.gate_reason == run.state_reason && !l.used()) return std::optional<ApprovalLink>(l);
  }
  ApprovalLink link;
  GAGGLE_ASSIGN_OR_RETURN(link.id, NewLinkId());
  link.migration = migration;
  link.stage = *gate;
  link.role = policy.role;
  link.gate_reason = run.state_reason;
  link.created_at = NowIso8601();
  link.expires_ms = NowMillis(ctx) + policy.ttl_seconds * 1000;
  GAGGLE_RETURN_IF_ERROR(control->InsertApprovalLink(link));
  Event e;
  e.actor = ctx.actor;
  e.migration = migration;
  e.from_state = "gate";
  e.to_state = "approval-requested";
  e.detail = nlohmann::json{{"approval", link.id},
                            {"url", ApprovalUrl(policy, link.id)},
                            {"role", RoleName(link.role)},
                            {"expires_ms", link.expires_ms}}
                 .dump();
  GAGGLE_RETURN_IF_ERROR(ctx.store->AppendEvent(e).status());
  return std::optional<ApprovalLink>(link);
}

Result<std::vector<ApprovalView>> ListApprovals(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                                const std::string& migration, size_t limit) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "approval links"));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ApprovalLink> links, control->ListApprovalLinks(migration, limit));
  std::vector<ApprovalView> out;
  for (ApprovalLink& l : links) {
    GAGGLE_ASSIGN_OR_RETURN(ApprovalView v, View(ctx, policy, std::move(l)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<ApprovalView> GetApproval(const ServiceContext& ctx, const ApprovalPolicy& policy, const std::string& id) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "approval links"));
  GAGGLE_ASSIGN_OR_RETURN(std::optional<ApprovalLink> link, control->FindApprovalLink(id));
  if (!link) return Status::NotFound("no approval '" + id + "'");
  return View(ctx, policy, std::move(*link));
}

nlohmann::json LinkApproveResult::ToJson() const {
  nlohmann::json j = approved.ToJson();
  j["approval"] = approval.ToJson();
  return j;
}

Result<LinkApproveResult> ApproveByLink(const ServiceContext& ctx, const ApprovalPolicy& policy,
                                        const LinkApproveRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "approval links"));
  GAGGLE_ASSIGN_OR_RETURN(ApprovalView view, GetApproval(ctx, policy, request.id));
  if (!RoleAllows(request.caller_role, view.link.role)) {
    return Status::Conflict("approval '" + request.id + "' needs the " + RoleName(view.link.role) +
                            " role (the caller is " + RoleName(request.caller_role) + ")");
  }
  if (request.reason.empty()) return Status::InvalidArgument("reason: say why you approve (it is audited)");
  if (view.status != "open") {
    return Status::Conflict("approval '" + request.id + "' is " + view.status + " and cannot be used");
  }
  LinkApproveResult out;
  ApproveRequest ar;
  ar.migration = view.link.migration;
  ar.final_gate = view.link.stage == kFinalGateStage;
  ar.stage = ar.final_gate ? -1 : view.link.stage;
  ar.reason = request.reason + " (approval " + request.id + ")";
  GAGGLE_ASSIGN_OR_RETURN(out.approved, Approve(ctx, ar));
  GAGGLE_ASSIGN_OR_RETURN(ApprovalLink used, control->MarkApprovalUsed(request.id, NowMillis(ctx), NowIso8601(),
                                                                       ctx.actor, request.reason));
  out.approval = view;
  out.approval.link = used;
  out.approval.status = "used";
  return out;
}

}  // namespace gaggle::service
