#include "store/catalog_diff.h"

#include <algorithm>
#include <iterator>

namespace gaggle {

CatalogDiffer::CatalogDiffer(const Catalog& catalog) : catalog_(catalog) { diff_.key_of.assign(catalog.size(), 0); }

void CatalogDiffer::Add(EntityDigest&& stored) {
  if (!error_.ok()) return;
  if (have_last_ && !(last_id_ < stored.id)) {
    error_ = Status::Internal("the store listed entity '" + stored.id + "' after '" + last_id_ +
                              "': entity digests must come in increasing id order");
    return;
  }
  const size_t n = catalog_.size();
  while (next_ < n && catalog_.entity(static_cast<NodeId>(next_)).id < stored.id) {
    diff_.added.push_back(static_cast<NodeId>(next_++));
  }
  if (next_ < n && catalog_.entity(static_cast<NodeId>(next_)).id == stored.id) {
    const NodeId node = static_cast<NodeId>(next_++);
    diff_.key_of[node] = stored.key;
    if (stored.content_hash != EntityContentHash(catalog_.entity(node))) diff_.updated.push_back(node);
  } else {
    diff_.removed.emplace_back(stored.key, stored.id);
  }
  last_id_ = std::move(stored.id);
  have_last_ = true;
}

Result<CatalogDiff> CatalogDiffer::Finish() && {
  if (!error_.ok()) return error_;
  while (next_ < catalog_.size()) diff_.added.push_back(static_cast<NodeId>(next_++));
  return std::move(diff_);
}

EdgeDiff DiffEdges(const Catalog& catalog, const std::vector<int64_t>& key_of,
                   std::vector<std::pair<int64_t, int64_t>> stored) {
  std::vector<std::pair<int64_t, int64_t>> want;
  want.reserve(catalog.num_edges());
  for (const auto& [u, d] : catalog.edges()) want.emplace_back(key_of[u], key_of[d]);
  std::sort(want.begin(), want.end());
  if (!std::is_sorted(stored.begin(), stored.end())) std::sort(stored.begin(), stored.end());
  EdgeDiff out;
  std::set_difference(want.begin(), want.end(), stored.begin(), stored.end(), std::back_inserter(out.added));
  std::set_difference(stored.begin(), stored.end(), want.begin(), want.end(), std::back_inserter(out.removed));
  return out;
}

}  // namespace gaggle
