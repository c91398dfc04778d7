// ConsumerRules: what a migration did to the datasets each catalog consumer reads, as
// the query rewriter needs it (verify/rewrite_rules.h). A migrated dataset's change
// (its old columns from its old data, the spec's renames and drops, its new table
// name spec.verify.table) is worked out once and shared; a dataset the migration does
// not touch contributes its columns (declared schema, else its data's).
// Used by the verifier (verify/query_verifier.h) and by the consumer-repository patcher,
// so that a patch on a consumer's own files is the rewrite the verifier checked.
// Thread-safety: ConsumerRules is not thread-safe (it caches); the functions are pure.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"
#include "verify/rewrite_rules.h"

namespace gaggle {

// One migrated dataset taking part.
// Roots are paths in their file system: the local one when null, else e.g. an object store
// (an s3:// source, or the committed attempt of an s3:// output: agent/readable_location.h).
struct VerifiedDataset {
  std::string id;
  std::string old_root;  // the old data (a file or a directory / prefix)
  std::string new_root;  // the new data
  FileSystem* old_fs = nullptr;
  FileSystem* new_fs = nullptr;
};

// The name consumers use for `id`'s new location: spec.verify.table with {id}, {name}
// and {version} replaced.
std::string NewTableName(const MigrationSpec& spec, const std::string& id, const std::string& name);

// The schema of a dataset's data, from its first data file (text formats typed by
// `text_schema` when given).
// `fs` null: the local file system.
Result<Schema> DataSchema(const std::string& root, const std::optional<Schema>& text_schema, FileSystem* fs = nullptr);

class ConsumerRules {
 public:
  // REQUIRES: spec, catalog, migrated and resolver outlive this. `resolver` finds the data
  // of datasets the migration does not touch (null: one built from the environment).
  ConsumerRules(const MigrationSpec& spec, const Catalog& catalog, const std::vector<VerifiedDataset>& migrated,
                bool preserve_output_names, FileSystemResolver* resolver = nullptr);

  // The rules of consumer n: the changes of the migrated datasets it reads and the
  // columns of the others. *reads_migrated lists the migrated ones (a migrated dataset
  // whose old data cannot be read is left out of both).
  RewriteRules RulesFor(NodeId n, std::vector<std::string>* reads_migrated);

  // What the migration did to migrated dataset `id`; nullptr when its old data cannot be read.
  const TableChange* Change(const std::string& id) { return by_id_.count(id) ? ChangeOf(id) : nullptr; }
  bool IsMigrated(const std::string& id) const { return by_id_.count(id) > 0; }
  const VerifiedDataset& Migrated(const std::string& id) const { return *by_id_.at(id); }
  const std::map<std::string, const VerifiedDataset*>& migrated() const { return by_id_; }

 private:
  const TableChange* ChangeOf(const std::string& id);
  const std::optional<std::vector<std::string>>& CurrentColumns(const Entity& e);

  const MigrationSpec& spec_;
  const Catalog& catalog_;
  bool preserve_output_names_;
  FileSystemResolver* resolver_;
  std::map<std::string, const VerifiedDataset*> by_id_;
  std::set<std::string> created_;  // output names made by add/derive (a dropped name may come back)
  std::set<std::string> drops_;
  std::map<std::string, TableChange> changes_;  // dataset id -> change, consumer-facing names
  std::map<std::string, std::string> change_errors_;
  std::map<std::string, std::optional<std::vector<std::string>>> current_columns_;
};

}  // namespace gaggle
