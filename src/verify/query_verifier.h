// QueryVerifier: downstream query verification of a migration (`gaggle verify`, and
// the final gate of `gaggle run`).
//
// Candidates are the SQL queries of catalog consumers that read at least one migrated
// dataset. A seeded random sample of them (same seed, same sample) is checked one by
// one: the original query runs on the old datasets and the query rewritten for the new
// schema (verify/query_rewriter.h) on the new ones, in DuckDB in process
// (verify/duckdb_engine.h), on two connections at once, and the two answers are compared
// as multisets (verify/query_result.h: numbers by value, reals within float_tolerance).
// Old data is loaded through the appender with only the columns the query needs, in the
// data's column order (verify/duckdb_table_loader.h; old rows the migration filters or
// dead-letters on purpose are left out, as the validation gates do); new Parquet outputs
// (and untouched Parquet datasets) on the local disk are read in place; in object storage
// they are loaded through the appender too, for the columns the queries need alone (ranged
// GETs of those column chunks). Untouched datasets serve both sides.
// Every affected consumer gets a patch of all its queries (verify/query_patch.h).
// A query that cannot be rewritten (a dropped column) or run is a failed check with its
// reason, never skipped silently. A timestamp column whose meaning the migration changes
// (naive <-> UTC-adjusted) without a declaring transform.cast is an undeclared schema
// change (VerificationReport::schema_changes), which fails the report.
// Memory: the engine is bounded by memory_limit and spills past it to a private scratch
// directory, removed afterwards; a table is dropped after the last query that needs it.
// Thread-safety: Verify is const; calls are independent.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"
#include "verify/consumer_rules.h"  // VerifiedDataset, NewTableName
#include "verify/verification_report.h"

namespace gaggle {

struct QueryVerifierOptions {
  int64_t sample = 20;  // queries drawn; <= 0: all
  uint64_t seed = 0;
  double float_tolerance = 1e-9;
  size_t max_result_rows = 5'000'000;
  size_t max_examples = 3;
  // Patches keep a renamed output column's old name (`new AS old`); true (or the spec's
  // verify.output_names: propagate) propagates the rename to the consumers' own readers
  // instead: consumers in lineage order, a derived dataset whose output changes read by
  // its readers' checks as two views, its original query on the old side and its rewrite
  // on the new (verify/consumer_rules.h). A cycle downstream of a migrated dataset is an error.
  bool propagate_renames = false;
  std::string memory_limit = "2GB";                  // the engine's bound (DuckDB spills past it)
  int threads = 0;                                   // the engine's threads; 0: the machine's cores
  std::function<void(const std::string&)> progress;  // one line per query
  // Serves untouched catalog datasets in object storage (s3://, gs://); null: the environment's.
  FileSystemResolver* resolver = nullptr;
};

class QueryVerifier {
 public:
  // REQUIRES: `spec` and `catalog` (finalized, with queries) outlive the verifier.
  QueryVerifier(const MigrationSpec& spec, const Catalog& catalog, QueryVerifierOptions options)
      : spec_(spec), catalog_(catalog), options_(std::move(options)) {}

  // Errors are reserved for a catalog or spec that cannot be used; a query that fails
  // is a check in the report.
  Result<VerificationReport> Verify(const std::vector<VerifiedDataset>& migrated) const;

 private:
  const MigrationSpec& spec_;
  const Catalog& catalog_;
  QueryVerifierOptions options_;
};

}  // namespace gaggle
