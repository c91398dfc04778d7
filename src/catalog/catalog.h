// Catalog: the estate in memory — entities (datasets and their consumers) and the
// lineage edges between them, with adjacency both ways.
//
// Lifecycle: AddEntity()/AddEdge() any number of times, then Finalize(), after
// which the catalog is read-only. Finalize() sorts entities by id (so every
// derived order is deterministic whatever the input order), drops duplicate
// edges and builds compressed adjacency lists. An edge (u, d) means u is
// upstream of d: d reads u (Backstage: "d dependsOn u").
// Thread-safety: after Finalize(), const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "catalog/entity.h"
#include "common/status.h"

namespace gaggle {

using NodeId = uint32_t;

class Catalog {
 public:
  Catalog() = default;
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // REQUIRES: !finalized().
  void AddEntity(Entity entity);
  void AddEdge(std::string upstream_id, std::string downstream_id);
  // Fails (InvalidArgument) on duplicate ids, invalid ids, edges naming an unknown id or an entity
  // depending on itself; the message lists every problem.
  Status Finalize();

  // Builds a finalized catalog from entities already sorted by id (strictly increasing)
  // and edges as index pairs into that vector. Checks both; faster than Add + Finalize.
  static Result<Catalog> FromSorted(std::vector<Entity> sorted_entities, std::vector<std::pair<NodeId, NodeId>> edges);

  bool finalized() const { return finalized_; }
  size_t size() const { return entities_.size(); }
  size_t num_datasets() const { return num_datasets_; }
  size_t num_edges() const { return edges_.size(); }
  const Entity& entity(NodeId n) const { return entities_[n]; }
  const std::vector<Entity>& entities() const { return entities_; }
  // Sorted by (upstream, downstream), unique.
  const std::vector<std::pair<NodeId, NodeId>>& edges() const { return edges_; }

  // Binary search by exact id. REQUIRES: finalized().
  std::optional<NodeId> Find(const std::string& id) const;
  // Direct neighbours, sorted. REQUIRES: finalized().
  std::span<const NodeId> Upstream(NodeId n) const;
  std::span<const NodeId> Downstream(NodeId n) const;

 private:
  Status BuildAdjacency();

  bool finalized_ = false;
  std::vector<Entity> entities_;
  std::vector<std::pair<std::string, std::string>> pending_edges_;
  std::vector<std::pair<NodeId, NodeId>> edges_;
  size_t num_datasets_ = 0;
  std::vector<uint32_t> down_offsets_, down_list_;  // CSR: downstream of n = down_list_[down_offsets_[n]..[n+1])
  std::vector<uint32_t> up_offsets_, up_list_;
};

}  // namespace gaggle
