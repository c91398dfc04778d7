// Reading a migration's spec where its run record (or the operator) names it: a local
// file, or an object in s3:// or gs:// storage. A migration created through the API with
// its artefacts in object storage records the object's URL (CreateMigration), so that a
// coordinator on any host, or after a restart, reads the same spec.
// Thread-safety: see service_context.h.
#pragma once

#include <string>

#include "service/service_context.h"
#include "spec/migration_spec.h"

namespace gaggle::service {

// The text of the spec at `path` (a local path, or an s3:// or gs:// URL read through
// ctx.resolver, else an object store configured from the environment). NotFound naming
// the path when it is absent; InvalidArgument above 16 MiB (no spec is that large).
Result<std::string> ReadSpecText(const ServiceContext& ctx, const std::string& path);

// ReadSpecText parsed, with `path` as its origin (LoadMigrationSpec for any location).
Result<MigrationSpec> LoadSpecAt(const ServiceContext& ctx, const std::string& path);

// The spec `migration` runs with: `override_path` when given, else its run record's; an
// error naming both when it cannot be read or is the spec of another migration.
Result<MigrationSpec> SpecOfRun(const ServiceContext& ctx, const std::string& migration,
                                const std::string& override_path);

}  // namespace gaggle::service
