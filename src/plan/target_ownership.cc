#include "plan/target_ownership.h"

#include <map>
#include <string>

#include "common/location_identity.h"

namespace gaggle {
namespace {

constexpr size_t kMaxReported = 5;

// Key of a location for lookups: equal keys are the same location.
std::string Key(const CanonicalLocation& l) { return l.scheme + "\n" + l.bucket + "\n" + l.path; }

// The strict ancestors of `l` below its root, nearest first.
std::vector<CanonicalLocation> Ancestors(const CanonicalLocation& l) {
  std::vector<CanonicalLocation> out;
  CanonicalLocation cur = l;
  while (cur.path != "/") {
    const size_t slash = cur.path.rfind('/');
    cur.path = slash == 0 ? "/" : cur.path.substr(0, slash);
    if (cur.path != "/") out.push_back(cur);
  }
  return out;
}

}  // namespace

Status CheckTargetOwnership(const std::vector<PlanRow>& rows, const Catalog& catalog) {
  std::vector<std::string> problems;
  auto report = [&](std::string p) {
    if (problems.size() < kMaxReported) problems.push_back(std::move(p));
  };
  std::map<std::string, const Entity*> datasets;  // catalog locations
  for (const Entity& e : catalog.entities()) {
    if (!e.is_dataset()) continue;
    if (auto where = Canonicalize(e.uri); where.ok()) datasets.emplace(Key(*where), &e);
  }
  std::map<std::string, const PlanRow*> targets;
  std::vector<std::pair<CanonicalLocation, const PlanRow*>> canonical;
  for (const PlanRow& r : rows) {
    auto where = Canonicalize(r.target_uri);
    if (!where.ok()) {
      report("target of '" + r.dataset_id + "': " + where.status().message());
      continue;
    }
    if (Status st = CheckNotSystemLocation(*where); !st.ok()) {
      report("target of '" + r.dataset_id + "': " + st.message());
      continue;
    }
    targets.emplace(Key(*where), &r);
    canonical.emplace_back(*where, &r);
  }
  for (const auto& [where, row] : canonical) {
    const std::string what = "target " + row->target_uri + " of '" + row->dataset_id + "'";
    if (auto d = datasets.find(Key(where)); d != datasets.end()) {
      report(what + " is the location of dataset '" + d->second->id + "' (" + d->second->uri + ")");
    }
    for (const CanonicalLocation& up : Ancestors(where)) {
      if (auto d = datasets.find(Key(up)); d != datasets.end()) {
        report(what + " lies inside dataset '" + d->second->id + "' (" + d->second->uri + ")");
      }
      if (auto t = targets.find(Key(up)); t != targets.end()) {
        report(what + " lies inside target " + t->second->target_uri + " of '" + t->second->dataset_id + "'");
      }
    }
  }
  for (const auto& [key, e] : datasets) {
    auto where = Canonicalize(e->uri);
    for (const CanonicalLocation& up : Ancestors(*where)) {
      if (auto t = targets.find(Key(up)); t != targets.end()) {
        report("target " + t->second->target_uri + " of '" + t->second->dataset_id + "' contains dataset '" + e->id +
               "' (" + e->uri + ")");
      }
    }
  }
  if (problems.empty()) return Status::OK();
  std::string msg = "the targets would overwrite data gaggle does not own (docs/safety.md):";
  for (const std::string& p : problems) msg += "\n  " + p;
  return Status::InvalidArgument(msg);
}

}  // namespace gaggle
