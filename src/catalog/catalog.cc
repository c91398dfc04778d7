#include "catalog/catalog.h"

#include <algorithm>
#include <numeric>

namespace gaggle {
namespace {

constexpr size_t kMaxListedProblems = 50;

Status ProblemsToStatus(const std::vector<std::string>& problems) {
  std::string msg =
      "catalog has " + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") + ":";
  for (size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i) msg += "\n  " + problems[i];
  if (problems.size() > kMaxListedProblems) {
    msg += "\n  ... and " + std::to_string(problems.size() - kMaxListedProblems) + " more";
  }
  return Status::InvalidArgument(msg);
}

}  // namespace

void Catalog::AddEntity(Entity entity) {
  assert(!finalized_);
  entities_.push_back(std::move(entity));
}

void Catalog::AddEdge(std::string upstream_id, std::string downstream_id) {
  assert(!finalized_);
  pending_edges_.emplace_back(std::move(upstream_id), std::move(downstream_id));
}

Status Catalog::Finalize() {
  if (finalized_) return Status::OK();
  std::vector<std::string> problems;
  // Sort a permutation rather than the (large) entities themselves.
  std::vector<uint32_t> order(entities_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return entities_[a].id < entities_[b].id; });
  std::vector<Entity> sorted;
  sorted.reserve(entities_.size());
  for (uint32_t i : order) sorted.push_back(std::move(entities_[i]));
  entities_ = std::move(sorted);
  for (size_t i = 0; i < entities_.size(); ++i) {
    if (!IsValidEntityId(entities_[i].id)) problems.push_back("invalid entity id '" + entities_[i].id + "'");
    if (i > 0 && entities_[i].id == entities_[i - 1].id) {
      problems.push_back("duplicate entity '" + entities_[i].id + "' (declared in " + entities_[i - 1].source +
                         " and " + entities_[i].source + ")");
    }
  }
  finalized_ = true;  // Find() below needs the sorted ids
  edges_.reserve(pending_edges_.size());
  for (const auto& [up, down] : pending_edges_) {
    auto u = Find(up);
    auto d = Find(down);
    if (!u) problems.push_back("lineage edge " + up + " -> " + down + " names unknown entity '" + up + "'");
    if (!d) problems.push_back("lineage edge " + up + " -> " + down + " names unknown entity '" + down + "'");
    if (u && d && *u == *d) problems.push_back("entity '" + up + "' depends on itself");
    if (u && d && *u != *d) edges_.emplace_back(*u, *d);
  }
  pending_edges_.clear();
  pending_edges_.shrink_to_fit();
  if (!problems.empty()) {
    finalized_ = false;
    return ProblemsToStatus(problems);
  }
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
  return BuildAdjacency();
}

Result<Catalog> Catalog::FromSorted(std::vector<Entity> sorted_entities, std::vector<std::pair<NodeId, NodeId>> edges) {
  Catalog c;
  c.entities_ = std::move(sorted_entities);
  for (size_t i = 1; i < c.entities_.size(); ++i) {
    if (!(c.entities_[i - 1].id < c.entities_[i].id)) {
      return Status::InvalidArgument("entities are not sorted by unique id at '" + c.entities_[i].id + "'");
    }
  }
  const size_t n = c.entities_.size();
  for (const auto& [u, d] : edges) {
    if (u >= n || d >= n || u == d) {
      return Status::InvalidArgument("lineage edge (" + std::to_string(u) + ", " + std::to_string(d) +
                                     ") is out of range or a self-edge");
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  c.edges_ = std::move(edges);
  c.finalized_ = true;
  GAGGLE_RETURN_IF_ERROR(c.BuildAdjacency());
  return c;
}

Status Catalog::BuildAdjacency() {
  const size_t n = entities_.size();
  if (n > UINT32_MAX - 1 || edges_.size() > UINT32_MAX) {
    return Status::Unsupported("catalogs of more than 4 billion entities or edges");
  }
  num_datasets_ = 0;
  for (const Entity& e : entities_) num_datasets_ += e.is_dataset() ? 1 : 0;
  down_offsets_.assign(n + 1, 0);
  up_offsets_.assign(n + 1, 0);
  for (const auto& [u, d] : edges_) {
    ++down_offsets_[u + 1];
    ++up_offsets_[d + 1];
  }
  for (size_t i = 0; i < n; ++i) {
    down_offsets_[i + 1] += down_offsets_[i];
    up_offsets_[i + 1] += up_offsets_[i];
  }
  down_list_.assign(edges_.size(), 0);
  up_list_.assign(edges_.size(), 0);
  std::vector<uint32_t> down_fill(down_offsets_.begin(), down_offsets_.end() - 1);
  std::vector<uint32_t> up_fill(up_offsets_.begin(), up_offsets_.end() - 1);
  // edges_ is sorted by (u, d), so each downstream list comes out sorted; upstream lists
  // are filled in increasing u as well.
  for (const auto& [u, d] : edges_) {
    down_list_[down_fill[u]++] = d;
    up_list_[up_fill[d]++] = u;
  }
  return Status::OK();
}

std::optional<NodeId> Catalog::Find(const std::string& id) const {
  assert(finalized_);
  auto it = std::lower_bound(entities_.begin(), entities_.end(), id,
                             [](const Entity& e, const std::string& key) { return e.id < key; });
  if (it == entities_.end() || it->id != id) return std::nullopt;
  return static_cast<NodeId>(it - entities_.begin());
}

std::span<const NodeId> Catalog::Upstream(NodeId n) const {
  return {up_list_.data() + up_offsets_[n], up_list_.data() + up_offsets_[n + 1]};
}

std::span<const NodeId> Catalog::Downstream(NodeId n) const {
  return {down_list_.data() + down_offsets_[n], down_list_.data() + down_offsets_[n + 1]};
}

}  // namespace gaggle
