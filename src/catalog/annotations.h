// The gaggle.dev/* annotations gaggle reads from and writes to Backstage
// descriptors (see docs/catalog.md). Import reads the catalog facts; the
// export-only ones describe migration state and are ignored on import, so that
// importing an export gives back the same catalog.
#pragma once

#include <string_view>

namespace gaggle::annotations {

inline constexpr std::string_view kPrefix = "gaggle.dev/";

// Catalog facts (import and export).
inline constexpr std::string_view kUri = "gaggle.dev/uri";
inline constexpr std::string_view kFormat = "gaggle.dev/format";
inline constexpr std::string_view kSchema = "gaggle.dev/schema";
inline constexpr std::string_view kSchemaVersion = "gaggle.dev/schema-version";
inline constexpr std::string_view kTier = "gaggle.dev/tier";
inline constexpr std::string_view kCadence = "gaggle.dev/cadence";
inline constexpr std::string_view kSize = "gaggle.dev/size";
inline constexpr std::string_view kQueries = "gaggle.dev/queries";
// A consumer's SQL files in its own git repository, relative to the repository's root
// ("sql/orders.sql"; several separated by commas or newlines): `gaggle consumers patch`
// rewrites them in place on a branch (docs/consumer-repos.md). Kept among the
// consumer's annotations.
inline constexpr std::string_view kQueriesPath = "gaggle.dev/queries-path";
// A consumer that is a dbt project: the project's folder in its git repository, relative
// to the repository's root ("analytics", or "." for the root); its models are rewritten
// in place and checked model by model (docs/consumer-repos.md).
inline constexpr std::string_view kDbtProject = "gaggle.dev/dbt-project";
// Labels whose key or value Backstage does not accept as a label (a value with spaces,
// longer than 63 characters...): the export writes them here as a JSON object, and the
// import puts them back among the labels, so nothing is lost and Backstage's validators pass.
inline constexpr std::string_view kLabels = "gaggle.dev/labels";

// Export only (migration state, derived from the state store).
inline constexpr std::string_view kGeneratedBy = "gaggle.dev/generated-by";
inline constexpr std::string_view kMigrations = "gaggle.dev/migrations";
inline constexpr std::string_view kMigration = "gaggle.dev/migration";
inline constexpr std::string_view kAgent = "gaggle.dev/agent";
inline constexpr std::string_view kAgentVersion = "gaggle.dev/agent-version";
inline constexpr std::string_view kTargetUri = "gaggle.dev/target-uri";
inline constexpr std::string_view kTargetFormat = "gaggle.dev/target-format";
inline constexpr std::string_view kTargetSchemaVersion = "gaggle.dev/target-schema-version";
inline constexpr std::string_view kPlanHash = "gaggle.dev/plan-hash";
inline constexpr std::string_view kStage = "gaggle.dev/stage";
inline constexpr std::string_view kWave = "gaggle.dev/wave";
inline constexpr std::string_view kDatasetCount = "gaggle.dev/dataset-count";

// Backstage relations that are not lineage, kept on the entity as context so that an
// export writes them back: stored among the entity's annotations under these keys,
// which no Backstage annotation can take ('@' is not allowed in an annotation key).
// Values: one entry per line (references as written; links as one JSON object each).
inline constexpr std::string_view kContextPrefix = "@";
inline constexpr std::string_view kContextSystem = "@spec.system";
inline constexpr std::string_view kContextDomain = "@spec.domain";
inline constexpr std::string_view kContextSubcomponentOf = "@spec.subcomponentOf";
inline constexpr std::string_view kContextProvidesApis = "@spec.providesApis";
inline constexpr std::string_view kContextConsumesApis = "@spec.consumesApis";
// dependsOn / dependencyOf entries naming kinds without lineage (API, Group, Template...).
inline constexpr std::string_view kContextDependsOn = "@spec.dependsOn";
inline constexpr std::string_view kContextDependencyOf = "@spec.dependencyOf";
inline constexpr std::string_view kContextTags = "@metadata.tags";
inline constexpr std::string_view kContextLinks = "@metadata.links";

// Backstage spec.type values gaggle's export uses for its own control-plane
// entities; import skips entities of these types.
inline constexpr std::string_view kMigrationType = "gaggle-migration";
inline constexpr std::string_view kAgentType = "gaggle-agent";

}  // namespace gaggle::annotations
