// TaskGraph: for each dataset of a plan, the selected datasets it must wait for —
// its nearest selected ancestors in the catalog's lineage, looking through
// unselected entities (a selected dataset reading an unselected view that reads
// another selected dataset waits for that one).
// Thread-safety: immutable after Build.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "plan/plan.h"

namespace gaggle {

class TaskGraph {
 public:
  // `catalog` must be finalized. Plan datasets missing from the catalog have no upstreams.
  static TaskGraph Build(const Catalog& catalog, const Plan& plan);

  // Selected upstream dataset ids of `dataset`, sorted; empty when none.
  const std::vector<std::string>& Upstreams(const std::string& dataset) const;
  size_t num_edges() const { return num_edges_; }

 private:
  std::unordered_map<std::string, std::vector<std::string>> upstreams_;
  size_t num_edges_ = 0;
};

}  // namespace gaggle
