// The state store's own records and the shapes of its queries: catalog import history,
// events and the event chain's report, plan summaries, and what StoreReader is asked
// for (entity digests, task queries, cut-over queries). The records of other concepts
// live beside them: store/fleet_records.h, store/cutover_record.h,
// store/verification_record.h.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/cutover_record.h"
#include "store/fleet_records.h"

namespace gaggle {

// What one catalog import changed. Ids are entity ids, sorted.
struct CatalogChangeSet {
  int64_t import_id = 0;
  std::string time;  // ISO 8601 UTC
  std::string actor;
  std::string source;  // what was imported (a path)
  std::vector<std::string> added, updated, removed;
  int64_t num_added = 0, num_updated = 0, num_removed = 0;  // == sizes above when ids are loaded
  int64_t edges_added = 0, edges_removed = 0;
  int64_t entities = 0, edges = 0;  // totals after the import

  bool changed() const { return num_added + num_updated + num_removed + edges_added + edges_removed > 0; }
};

struct ImportOptions {
  std::string source;
  std::string actor = "gaggle";
};

struct LoadCatalogOptions {
  // The planner needs neither; skipping them makes loading a large catalog cheaper.
  bool with_queries = true;
  bool with_annotations = true;
};

struct CatalogStats {
  int64_t datasets = 0;
  int64_t consumers = 0;
  int64_t edges = 0;
  int64_t imports = 0;
  std::string last_import_time;
};

enum class Direction { kUpstream, kDownstream };

// A stored entity as the catalog diff sees it. `key` is the backend's surrogate key for
// the entity (positive, stable while the entity is stored); lineage edges are stored as
// key pairs.
struct EntityDigest {
  int64_t key = 0;
  std::string id;
  uint64_t content_hash = 0;  // EntityContentHash of the entity as imported
};

struct EntityScanOptions {
  bool with_labels = true;
  bool with_annotations = true;
};

// One entry of the audit trail.
struct Event {
  int64_t seq = 0;    // assigned by the store, increasing
  std::string time;   // ISO 8601 UTC; the store fills it when empty
  std::string actor;  // a user name or "gaggle"
  std::string migration;
  std::string dataset;
  std::string from_state;
  std::string to_state;
  std::string detail;     // free text or JSON
  std::string prev_hash;  // the previous event's hash in its chain (store/event_chain.h); set by the store
  std::string hash;       // this event's hash; set by the store
};

struct EventFilter {
  std::string migration;  // empty: any
  std::string dataset;    // empty: any
  int64_t after_seq = 0;  // only events with seq > after_seq
  size_t limit = 1000;
};

// The newest event of one migration's chain, as the store records it with every append.
struct EventChainHead {
  std::string migration;  // "" for catalog events
  int64_t seq = 0;
  std::string hash;
};

// What VerifyEventChain found about one chain (one migration's events).
struct EventChainStatus {
  std::string migration;  // "" for catalog events
  int64_t events = 0;     // chained events read
  std::string head;       // hash of its newest event
  int64_t head_seq = 0;
  bool intact = true;
  int64_t first_broken_seq = 0;
  std::string problem;
};

// What VerifyEventChain found (store/event_chain.h describes the chains).
struct EventChainReport {
  int64_t events = 0;     // events read
  int64_t chained = 0;    // events carrying a hash
  int64_t unchained = 0;  // events from before the chain began (older state files)
  bool intact = true;
  int64_t first_broken_seq = 0;          // the first event whose link or hash does not match
  std::string problem;                   // what does not match there
  std::string head;                      // hash of the newest event
  std::vector<EventChainStatus> chains;  // one per migration, by migration
};

struct PlanSummary {
  std::string hash;
  std::string migration;
  std::string spec_hash;
  std::string created_at;
  int64_t datasets = 0;
  int waves = 0;
  int stages = 0;
};

// Where a page of tasks ends: the sort key of its last task. The next page starts after it.
struct TaskCursor {
  std::string started_at;  // only in oldest-started-first order
  int stage = 0;
  int64_t ordinal = 0;

  static TaskCursor After(const TaskRecord& last) { return {last.started_at, last.stage, last.ordinal}; }
};

// A filtered page of one migration's tasks, in plan order (stage, ordinal) or, with
// `oldest_started_first`, by started_at first.
struct TaskQuery {
  std::string migration;
  std::vector<TaskState> states;  // empty: every state
  std::optional<int> stage;
  std::optional<int> wave;
  std::string dataset_contains;  // a substring of the dataset id (case-sensitive); empty: any
  bool oldest_started_first = false;
  std::optional<TaskCursor> after;  // only tasks after this one in the order
  size_t limit = 100;
};

// Cut-over records by migration, then dataset.
struct CutoverQuery {
  std::string migration;  // empty: any
  std::string dataset;    // empty: any
  std::optional<CutoverState> state;
};

}  // namespace gaggle
