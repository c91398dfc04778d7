// CatalogDraft: what the catalog parsers (Backstage descriptors, native catalog
// files) collect before anything is trusted — entities with unresolved
// references, problems with their file and line, and warnings.
//
// Finish() resolves every reference, detects duplicates and dangling references,
// and returns either a finalized Catalog or ONE error listing every problem found
// in every file, so a bad catalog is reported at once and nothing is imported.
// Thread-safety: single-threaded builder.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/entity.h"
#include "common/status.h"

namespace gaggle {

struct CatalogProblem {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;

  std::string ToString() const;  // "file:line:column: message"
};

struct DraftRef {
  std::string text;        // as written
  bool native = false;     // native catalog: an entity id first, else a Backstage ref
  std::string default_ns;  // namespace of the declaring entity (Backstage default)
  int line = 0;
  int column = 0;
};

struct DraftEntity {
  Entity entity;
  std::string key;  // lower-case "kind:namespace/name"; datasets use kind "resource"
  int line = 0;
  int column = 0;
  std::vector<DraftRef> upstream;    // dependsOn: these feed the entity
  std::vector<DraftRef> downstream;  // dependencyOf: the entity feeds these
};

// One target of a Backstage Location (spec.target or an entry of spec.targets), which
// the loader follows (catalog_loader.h).
struct LocationTarget {
  std::string location;  // "location:default/examples"
  std::string file;      // the file that declares the Location
  int line = 0;
  int column = 0;
  std::string type;    // spec.type as written ("file", "url", "")
  std::string target;  // as written ("./entities.yaml", "https://...")
};

class CatalogDraft {
 public:
  void AddProblem(const std::string& file, int line, int column, std::string message);
  void AddWarning(std::string warning) { warnings_.push_back(std::move(warning)); }
  void AddEntity(DraftEntity entity) { entities_.push_back(std::move(entity)); }
  // A Backstage entity gaggle does not model (Group, User, API, Domain, Location...):
  // references to it are valid but carry no lineage.
  void AddIgnored(const std::string& key) { ignored_keys_.insert(key); }
  // An entity of a kind gaggle keeps only as a reference target: counted for a note.
  void AddSkipped(const std::string& kind, const std::string& key);
  // A Resource of a dataset type without gaggle.dev/* annotations: counted for a note.
  void AddPlainResource(const std::string& key) { plain_resources_.push_back(key); }
  void AddNote(std::string note) { notes_.push_back(std::move(note)); }
  void AddLocationTarget(LocationTarget target) { location_targets_.push_back(std::move(target)); }
  // The Location targets recorded since the last call.
  std::vector<LocationTarget> TakeLocationTargets() { return std::exchange(location_targets_, {}); }

  // Resolves references and builds the catalog; fails with every problem listed
  // (parse problems added earlier included). Call once.
  Result<Catalog> Finish();

  const std::vector<CatalogProblem>& problems() const { return problems_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // What the import kept aside: resources that are not datasets, and one line per skipped
  // kind ("skipped 3 Group entities (guests, team-a, ...): ...").
  std::vector<std::string> Notes() const;
  size_t num_entities() const { return entities_.size(); }

 private:
  std::vector<DraftEntity> entities_;
  std::unordered_set<std::string> ignored_keys_;
  std::vector<CatalogProblem> problems_;
  std::vector<std::string> warnings_;
  std::vector<std::string> notes_;
  std::map<std::string, std::vector<std::string>> skipped_;  // kind (as first written) -> keys
  std::vector<std::string> plain_resources_;
  std::vector<LocationTarget> location_targets_;
};

// One InvalidArgument status listing the problems (sorted by file and line).
Status ProblemsStatus(std::vector<CatalogProblem> problems);

}  // namespace gaggle
