// Backstage export: writes the catalog, plus the migrations and agents that
// target its datasets, as Backstage descriptor files that a real Backstage can
// ingest (apiVersion backstage.io/v1alpha1, standard kinds only):
//   DIR/catalog-info.yaml  a Location listing the files below
//   DIR/datasets.yaml      Resources (type dataset|table|database) with gaggle.dev/*
//                          annotations: current uri, format, schema version, and
//                          the target uri / schema version / migration / agent
//   DIR/consumers.yaml     Components, Systems and other Resources with their queries
//   DIR/migrations.yaml    one Component (type gaggle-agent) per agent and one Resource
//                          (type gaggle-migration) per migration; a migration
//                          dependsOn its agent and the datasets it migrates
// Importing the export gives back the same catalog (gaggle-agent / gaggle-migration
// entities and the migration-state annotations are skipped on import).
// Every file is written atomically.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

// Where a dataset is going, from the newest saved plan of one migration.
struct MigrationTarget {
  std::string dataset_id;
  std::string migration;
  std::string plan_hash;
  std::string created_at;  // of the plan
  std::string agent;       // "builtin:transform", "exec:./agent.py"
  std::string agent_version;
  std::string target_uri;
  std::string target_format;
  int target_schema_version = 0;
  int stage = 0;
  int wave = 0;
};

struct ExportSummary {
  size_t datasets = 0;
  size_t consumers = 0;
  size_t migrations = 0;
  size_t agents = 0;
  std::vector<std::string> files;
};

Result<ExportSummary> ExportBackstage(const Catalog& catalog, const std::vector<MigrationTarget>& targets,
                                      const std::string& dir, FileSystem* fs = FileSystem::Default());

// A valid Backstage metadata.name from any text ("builtin:transform" -> "builtin-transform").
std::string BackstageSafeName(const std::string& text);

}  // namespace gaggle
