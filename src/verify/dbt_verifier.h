// DbtVerifier: a dbt project migrated and proven — every model file rewritten in place for
// the new schema of the sources it reads (verify/dbt_model.h: Jinja, comments and layout
// kept), then every model run on both sides in DuckDB and compared.
//
// Sides: the old side renders each model with its sources on the old data; the new side
// renders the rewritten model with the migrated sources on the new data (untouched
// sources serve both). Models become views in ref order, so a model that reads another
// reads that side's version of it. Each model's answer (SELECT * of its view) is compared
// as a multiset (verify/query_result.h) and its output columns by name: a rewrite must keep
// the model's output contract, or its readers break.
// Data is loaded as the downstream verifier loads it (verify/duckdb_table_loader.h): the
// old side of a migrated source through the migration's transform when `through` is given
// (rows it filters out on purpose left out, text typed by text_schema), Parquet read in
// place, other formats (Avro, CSV, JSON lines) through the appender.
// A model that cannot be rendered (Jinja other than ref, source, config, comments), reads
// a model that failed, refs an unknown model or lies on a ref cycle is an error check with
// the reason; a statement the rewriter refuses fails its model. Never skipped silently.
// Thread-safety: VerifyDbtProject is a pure function of its inputs and the data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "verify/dbt_project.h"
#include "verify/rewrite_rules.h"
#include "verify/sql_file.h"
#include "verify/verification_report.h"

namespace gaggle {

// The data behind one source table ("<source>.<table>").
struct DbtSourceData {
  std::string old_path;
  std::string new_path;  // "" when the migration does not touch it
  // For a migrated source: renames and drops (columns are read from the old data when empty).
  TableChange change;
  const MigrationSpec* through = nullptr;  // the migration, for the old side of a migrated source
  std::optional<Schema> text_schema;       // typing of CSV / JSON lines data
};

struct DbtModelCheck {
  std::string model;
  std::string path;        // relative to the project's root
  SqlFileRewrite rewrite;  // the file rewritten
  std::string patch;       // RenderFilePatch against path_prefix + path; "" when unchanged
  QueryCheck::Outcome outcome = QueryCheck::Outcome::kMatched;
  std::string reason;
  int64_t rows_old = 0, rows_new = 0;
  std::vector<std::string> columns_old, columns_new;
  std::vector<std::string> examples_old, examples_new;
};

struct DbtVerification {
  std::vector<DbtModelCheck> models;  // in ref order
  bool passed() const;
  // "5 of 5 models verified: 5 same answer" / "... 1 different (stg_orders)".
  std::string Summary() const;
};

struct DbtVerifyOptions {
  double float_tolerance = 1e-9;
  size_t max_rows = 1'000'000;
  std::string memory_limit = "1GB";
  std::string path_prefix;  // the project's folder in its repository ("analytics/"), for patch paths
  // verify.output_names: propagate. A model outputs renamed columns under their new names
  // (no `new AS old`), and the models that ref it follow them: each is rewritten with the
  // columns its refs now output (old and new output names by position, from the engine).
  // Output names are then not compared, only answers.
  bool propagate_renames = false;
};

// `sources` keyed "<source>.<table>".
Result<DbtVerification> VerifyDbtProject(const DbtProject& project, const std::map<std::string, DbtSourceData>& sources,
                                         const DbtVerifyOptions& options);

}  // namespace gaggle
