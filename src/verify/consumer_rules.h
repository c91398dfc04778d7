// ConsumerRules: what a migration did to the datasets each catalog consumer reads, as
// the query rewriter needs it (verify/rewrite_rules.h). A migrated dataset's change
// (its old columns from its old data, the spec's renames and drops, its new table
// name spec.verify.table) is worked out once and shared; a dataset the migration does
// not touch contributes its columns (declared schema, else its data's).
// Used by the verifier (verify/query_verifier.h) and by the consumer-repository patcher,
// so that a patch on a consumer's own files is the rewrite the verifier checked.
//
// Propagation (verify.output_names: propagate, preserve_output_names false): a consumer
// that is itself a catalog dataset (a derived dataset whose queries make it) and whose
// rewritten query now outputs renamed columns changes what its readers see. Once its
// rules are used, RecordOutputs(n) works that out from its queries' rewrites; the rules of
// every consumer reading it then carry it as a changed table (same name, renamed and
// dropped columns), so it is rewritten in turn. Consumers must be taken in Order():
// lineage order, so a reader comes after every consumer it reads; transitive by
// construction, each consumer once.
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
  // *problem (optional) gets why an upstream consumer's renamed outputs could not be
  // carried to n ("" when none): n's queries should then be refused with it.
  RewriteRules RulesFor(NodeId n, std::vector<std::string>* reads_migrated, std::string* problem = nullptr);

  // The order to take consumers in: catalog order when output names are kept; else
  // lineage order (upstream first, ties in catalog order). InvalidArgument naming the
  // consumers on a cycle downstream of a migrated dataset.
  Result<std::vector<NodeId>> Order() const;

  // Propagation only (a no-op when output names are kept): records what consumer n, a
  // dataset with queries, now outputs, rewritten with `rules` (RulesFor(n)). With
  // `upstream_problem` (RulesFor's), n is not rewritten: its readers get the problem.
  void RecordOutputs(NodeId n, const RewriteRules& rules, const std::string& upstream_problem = "");

  // A consumer whose output columns change (RecordOutputs): the change its readers get
  // (new_table: its own id) and which of its queries makes its output.
  struct OutputChange {
    TableChange change;
    size_t query = 0;
  };
  const OutputChange* ChangedOutput(const std::string& id) const {
    auto it = outputs_.find(id);
    return it == outputs_.end() ? nullptr : &it->second;
  }

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
  std::map<std::string, OutputChange> outputs_;         // consumer (dataset) id -> its changed output
  std::map<std::string, std::string> output_problems_;  // consumer id -> why its output change cannot be carried
};

}  // namespace gaggle
