// Dataset selection: which catalog datasets a migration's `select:` names.
//
// `ids` and `match` are alternatives that add up: a dataset is selected when its
// id is listed OR it satisfies every criterion given under `match` (id glob,
// owner, format, any of the tiers, all labels, schema version). Only datasets are
// ever selected. Listing an unknown id or a non-dataset is an error; so is a
// selection that names nothing or selects nothing.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "spec/migration_spec.h"

namespace gaggle {

// fnmatch(3)-style glob: '*' (any run, '/' included), '?', '[...]'.
bool GlobMatch(const std::string& pattern, const std::string& text);

// True when the dataset satisfies every `match` criterion that is set (ids are not considered).
bool MatchesCriteria(const Entity& dataset, const SelectSpec& select);
bool HasCriteria(const SelectSpec& select);

// Selected dataset node ids, sorted.
Result<std::vector<NodeId>> SelectDatasets(const Catalog& catalog, const SelectSpec& select);

}  // namespace gaggle
