#include "plan/location_support.h"

#include <string>

#include "common/dataset_location.h"

namespace gaggle {
namespace {

constexpr size_t kMaxListed = 5;

// A location of a kind runs cannot use (other problems are the ownership check's to name).
bool Unusable(const std::string& uri) {
  Result<std::string> path = LocalPathFromUri(uri);
  return !path.ok() && path.status().code() == StatusCode::kUnsupported;
}

}  // namespace

Status CheckLocationsAreSupported(const std::vector<PlanRow>& rows) {
  std::vector<std::string> listed;
  size_t count = 0;
  for (const PlanRow& r : rows) {
    for (const auto& [role, uri] : {std::pair<const char*, const std::string&>{"source", r.source_uri},
                                    std::pair<const char*, const std::string&>{"target", r.target_uri}}) {
      if (!Unusable(uri)) continue;
      ++count;
      if (listed.size() < kMaxListed) listed.push_back(r.dataset_id + ": " + role + " " + uri);
    }
  }
  if (count == 0) return Status::OK();
  std::string msg = std::to_string(count) + " location" + (count == 1 ? "" : "s") +
                    " of this plan cannot be used by a run: gaggle migrates datasets on local paths "
                    "(file:///abs or /abs) today; s3:// and gs:// are not wired into the agents, "
                    "cut-over and gc yet (docs/object-storage.md)";
  for (const std::string& l : listed) msg += "\n  " + l;
  if (count > listed.size()) msg += "\n  ... and " + std::to_string(count - listed.size()) + " more";
  return Status::Unsupported(msg);
}

}  // namespace gaggle
