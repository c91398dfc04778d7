#include "plan/location_support.h"

#include <string>

#include "common/dataset_location.h"
#include "storage/object_uri.h"

namespace gaggle {
namespace {

constexpr size_t kMaxListed = 5;

// A location of a kind runs cannot use at all (other problems are the ownership check's).
bool Unusable(const std::string& uri) {
  if (IsObjectStoreUri(uri)) return false;
  Result<std::string> path = LocalPathFromUri(uri);
  return !path.ok() && path.status().code() == StatusCode::kUnsupported;
}

// Lists the rows whose source or target satisfies `bad`; Unsupported with `why` if any.
Status Refuse(const std::vector<PlanRow>& rows, bool check_sources, bool check_targets, bool (*bad)(const std::string&),
              const std::string& why) {
  std::vector<std::string> listed;
  size_t count = 0;
  for (const PlanRow& r : rows) {
    for (const auto& [role, uri, checked] :
         {std::tuple<const char*, const std::string&, bool>{"source", r.source_uri, check_sources},
          std::tuple<const char*, const std::string&, bool>{"target", r.target_uri, check_targets}}) {
      if (!checked || !bad(uri)) continue;
      ++count;
      if (listed.size() < kMaxListed) listed.push_back(r.dataset_id + ": " + role + " " + uri);
    }
  }
  if (count == 0) return Status::OK();
  std::string msg =
      std::to_string(count) + (count == 1 ? " location of this plan is " : " locations of this plan are ") + why;
  for (const std::string& l : listed) msg += "\n  " + l;
  if (count > listed.size()) msg += "\n  ... and " + std::to_string(count - listed.size()) + " more";
  return Status::Unsupported(msg);
}

bool IsObject(const std::string& uri) { return IsObjectStoreUri(uri); }

}  // namespace

Status CheckLocationsAreSupported(const std::vector<PlanRow>& rows, const MigrationSpec& spec) {
  GAGGLE_RETURN_IF_ERROR(Refuse(rows, true, true, Unusable,
                                "not usable by a run: gaggle migrates datasets on local paths (file:///abs or "
                                "/abs) and in object storage (s3://, gs://)"));
  if (spec.agent.kind == AgentSpec::Kind::kExec) {
    GAGGLE_RETURN_IF_ERROR(Refuse(rows, true, false, IsObject,
                                  "object-storage sources, which an external agent (agent.exec) cannot read: "
                                  "the protocol hands it local files; the built-in agent reads them"));
  }
  return Status::OK();
}

}  // namespace gaggle
