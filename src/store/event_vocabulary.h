// The event vocabulary: what every event of the audit trail says, written once and
// shared by the state store (which appends most of them), the fleet runner (gate
// decisions) and the report (which reads them back).
//
//   what happened               migration  dataset  from -> to                       detail
//   catalog imported            ""         ""       "" -> catalog-imported           CatalogImportedDetail
//   plan saved                  m          ""       "" -> planned                    PlannedDetail
//   run created / refreshed     m          ""       run state -> run state           RunPlannedDetail
//   run changed (operator, lease) m        ""       run state -> run state           free text
//   task created                m          d        "" -> pending                    "planned"
//   task dropped from the plan  m          d        task state -> cancelled          "dropped from the plan"
//   task moved                  m          d        task state -> task state         free text or JSON
//   stage gate decided          m          ""       gate -> gate-passed|gate-failed  GateDetail (JSON object)
//   failed gate approved        m          ""       gate-failed -> gate-approved     GateApprovedDetail
//   verification saved          m          ""       verifying -> verified|verification-failed  VerificationDetail
//   dataset cut over            m          d        validated -> cut-over            CutOverDetail
//   cut-over rolled back        m          d        cut-over -> cut-over-reverted    CutOverRevertedDetail
//   old data collected by gc    m          d        cut-over -> collected            free text
//
// Builders fill migration, dataset, states and detail; time and actor are the store's
// (AppendEvent fills empty ones) unless a record carries them. Parsers read a detail
// back and return nullopt when the event is not of their kind or its detail is not a
// JSON object.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "plan/plan.h"
#include "store/cutover_record.h"
#include "store/fleet_records.h"
#include "store/store_records.h"
#include "store/verification_record.h"

namespace gaggle::events {

// to_state (and from_state) values that are not task or run states.
inline constexpr const char* kCatalogImported = "catalog-imported";
inline constexpr const char* kPlanned = "planned";
inline constexpr const char* kGate = "gate";
inline constexpr const char* kGatePassed = "gate-passed";
inline constexpr const char* kGateFailed = "gate-failed";
inline constexpr const char* kGateApproved = "gate-approved";
inline constexpr const char* kVerifying = "verifying";
inline constexpr const char* kVerified = "verified";
inline constexpr const char* kVerificationFailed = "verification-failed";
inline constexpr const char* kCutOver = "cut-over";
inline constexpr const char* kCutOverReverted = "cut-over-reverted";
inline constexpr const char* kCollected = "collected";
inline constexpr const char* kCollecting = "collecting";
// Details that are fixed texts.
inline constexpr const char* kTaskPlannedDetail = "planned";
inline constexpr const char* kTaskDroppedDetail = "dropped from the plan";

struct CatalogImportedDetail {
  int64_t import_id = 0;
  std::string source;
  int64_t added = 0, updated = 0, removed = 0, edges_added = 0, edges_removed = 0;
};

struct PlannedDetail {
  std::string plan_hash;
  int64_t datasets = 0, stages = 0, waves = 0;
};

struct RunPlannedDetail {
  bool created = false;  // "run created", else "plan refreshed"
  std::string plan_hash, spec_hash, spec_path;
  int64_t datasets = 0, tasks_created = 0, tasks_cancelled = 0;
};

// What the report reads of a stage gate's decision (the fleet runner writes more).
struct GateDetail {
  bool passed = false;
  std::optional<int64_t> stage;
  std::optional<int64_t> failing;
  int64_t settled = 0;
};

struct GateApprovedDetail {
  int stage = 0;  // negative: the final verification gate
  std::string reason;
};

struct VerificationDetail {
  bool passed = false;
  int64_t sampled = 0, matched = 0, mismatched = 0, refused = 0, errors = 0;
  std::string summary;
};

struct CutOverDetail {
  DatasetLocation previous, next;  // uri, format and schema version (the schema text is not in the event)
  std::string retain_until;
};

struct CutOverRevertedDetail {
  DatasetLocation restored;
  std::string reason;
};

// --- Builders ----------------------------------------------------------------
Event CatalogImported(const CatalogChangeSet& changes);  // time and actor of the import
Event Planned(const Plan& plan);
Event RunPlanned(const std::string& migration, const std::optional<RunState>& before, RunState after,
                 const RunPlannedDetail& detail);
Event RunChanged(const std::string& migration, RunState before, RunState after, const std::string& detail);
Event TaskCreated(const std::string& migration, const std::string& dataset);
Event TaskDropped(const std::string& migration, const std::string& dataset, TaskState before);
Event TaskMoved(const std::string& migration, const std::string& dataset, TaskState from, TaskState to,
                const std::string& detail);
// `detail`: the decision as the fleet runner logs it (a JSON object with at least stage,
// passed, failing and settled).
Event GateDecided(const std::string& migration, bool passed, const nlohmann::json& detail);
Event GateApproved(const StageApproval& approval);     // time and actor of the approval
Event Verification(const VerificationRecord& record);  // time and actor of the record
Event CutOver(const CutoverRecord& record);            // at record.cut_at by record.changed_by
Event CutOverReverted(const CutoverRecord& record, const std::string& reason);
Event Collecting(const std::string& migration, const std::string& dataset, const std::string& detail);
Event Collected(const std::string& migration, const std::string& dataset, const std::string& detail);

// --- Parsers -----------------------------------------------------------------
bool IsGateEvent(const Event& event);  // a decision or an approval
std::optional<GateDetail> ParseGateDecided(const Event& event);
std::optional<GateApprovedDetail> ParseGateApproved(const Event& event);
std::optional<VerificationDetail> ParseVerification(const Event& event);
std::optional<CatalogImportedDetail> ParseCatalogImported(const Event& event);
std::optional<CutOverDetail> ParseCutOver(const Event& event);

}  // namespace gaggle::events
