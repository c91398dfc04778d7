// Entity: one node of the catalog — a dataset, or something that consumes data
// (a Backstage Component, System, or a Resource that is not a dataset).
//
// Ids are canonical and stable: a dataset's id is its name ("events.raw"), or
// "namespace/name" outside Backstage's "default" namespace; every other entity's
// id is "kind:name" or "kind:namespace/name" ("component:checkout"). Dataset ids
// never contain ':', so the two id spaces cannot collide.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

// How much breaks when the dataset breaks. Declared order is most critical first.
enum class Tier { kCritical = 0, kStandard = 1, kLow = 2 };

const char* TierName(Tier tier);
// "critical", "standard", "low" (case-insensitive).
Result<Tier> ParseTier(const std::string& text);

enum class EntityKind {
  kDataset,    // Backstage Resource of type dataset|table|database, or a native dataset
  kComponent,  // Backstage Component: a service, job or pipeline
  kSystem,     // Backstage System
  kResource,   // Backstage Resource of any other type (topic, bucket...): a lineage node, not migrated
};

const char* EntityKindName(EntityKind kind);  // "dataset", "component", "system", "resource"
Result<EntityKind> ParseEntityKind(const std::string& text);

struct Entity {
  EntityKind kind = EntityKind::kDataset;
  std::string id;
  std::string name;
  std::string ns = "default";  // Backstage namespace
  std::string type;            // spec.type as written ("dataset", "service", "kafka-topic")
  std::string title;
  std::string description;
  std::string owner;      // as written ("team-data", "group:default/team-data")
  std::string lifecycle;  // Components: "production", "experimental"...
  std::map<std::string, std::string> labels;
  // Annotations other than the gaggle.dev/* ones, which are parsed into the fields below.
  std::map<std::string, std::string> annotations;
  // SQL a consumer (or derived dataset) runs against its upstream datasets.
  std::vector<std::string> queries;
  std::string source;  // file the entity was declared in

  // Dataset facts (meaningful for kDataset only).
  std::string uri;
  std::string format;  // "avro", "csv", "jsonl", "parquet"
  std::string schema;  // "name: type, ..." (columnar/schema.h text form); may be empty
  int schema_version = 1;
  Tier tier = Tier::kStandard;
  std::string cadence;  // "hourly", "daily", "irregular", cron text...
  int64_t size_bytes = 0;

  bool is_dataset() const { return kind == EntityKind::kDataset; }
  bool operator==(const Entity& o) const;
};

// The id an entity of this kind/namespace/name has (see the file comment).
std::string MakeEntityId(EntityKind kind, const std::string& ns, const std::string& name);

// 64-bit fingerprint of everything an import can change (all fields, source file
// included); equal entities have equal hashes. Used to diff re-imports.
uint64_t EntityContentHash(const Entity& entity);

// "team-data" for "team-data", "group:team-data", "group:default/team-data"; other
// kinds and namespaces are kept ("user:alice", "group:ops/team-x"). Used to compare owners.
std::string CanonicalOwner(const std::string& owner);

// Parses "1234", "12GB" (decimal), "12GiB" (binary), "1.5 TB" into bytes.
Result<int64_t> ParseByteSize(const std::string& text);

// True for ids that are safe to print, store and use in a path template: non-empty,
// at most 253 characters, letters, digits and ._-/ (and ':' only after the kind).
bool IsValidEntityId(const std::string& id);

}  // namespace gaggle
