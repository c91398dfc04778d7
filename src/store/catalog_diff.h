// The catalog diff: what re-importing a catalog changes in the stored one. A merge-join
// of the new catalog (finalized: sorted by id) with the stored entities' digests (in id
// order, as StoreReader::ScanEntityDigests gives them):
//  - an entity only in the catalog is added, one only in the store is removed;
//  - an entity in both is updated when its content hash (EntityContentHash of the entity
//    as imported) differs, and left alone otherwise;
// then, once every entity has a key, the edges: the catalog's edges as key pairs against
// the stored ones.
// Thread-safety: a CatalogDiffer is used by one thread; DiffEdges is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "store/store_records.h"

namespace gaggle {

struct CatalogDiff {
  std::vector<NodeId> added;                             // catalog nodes to insert
  std::vector<NodeId> updated;                           // catalog nodes whose stored entity changed
  std::vector<std::pair<int64_t, std::string>> removed;  // (key, id) of stored entities not in the catalog
  std::vector<int64_t> key_of;                           // per catalog node: its stored key, 0 until added
};

class CatalogDiffer {
 public:
  // REQUIRES: catalog.finalized(); it outlives the differ.
  explicit CatalogDiffer(const Catalog& catalog);

  // The next stored entity. Digests must come in strictly increasing id order.
  void Add(EntityDigest&& stored);
  // The diff; Internal when the digests were out of order (a backend bug).
  Result<CatalogDiff> Finish() &&;

 private:
  const Catalog& catalog_;
  CatalogDiff diff_;
  size_t next_ = 0;  // the first catalog node not merged yet
  std::string last_id_;
  bool have_last_ = false;
  Status error_;
};

struct EdgeDiff {
  std::vector<std::pair<int64_t, int64_t>> added, removed;  // (upstream key, downstream key), sorted
};

// The catalog's edges (as keys through `key_of`) against the stored ones (any order).
EdgeDiff DiffEdges(const Catalog& catalog, const std::vector<int64_t>& key_of,
                   std::vector<std::pair<int64_t, int64_t>> stored);

}  // namespace gaggle
