// DuckDbTableLoader: makes one dataset a table (or a view) of the verification engine.
//
// LoadDuckDbTable copies a dataset (a data file, or a directory tree of them, in any format
// gaggle reads: Avro, CSV, JSON lines, Parquet) into a new DuckDB table through the
// appender, a data chunk at a time. The table keeps the data's column order (the requested
// columns are taken in the order the data has them), and each column keeps its type:
// booleans, 32/64-bit integers, floats, doubles, decimals (up to 38 digits), strings,
// binary, dates, naive timestamps as TIMESTAMP and UTC-adjusted ones as TIMESTAMPTZ.
// With `through` set (the old side of a migration), each batch first goes through the
// migration's Transformer (TransformForSchema) and only the rows it keeps are loaded, with their OLD values:
// rows the spec filters out on purpose and rows dead-lettered within the budget are not
// answers consumers get from the new data, and are counted in the stats instead.
// Without `through`, Parquet files are decoded for the requested columns only, and only
// their column chunks are read: through an object store's FileSystem, a few ranged GETs.
// TableLoadStats::schema is then the requested columns' part of the schema.
//
// CreateParquetView lets DuckDB read a dataset of Parquet files in place (the new outputs
// of a migration): a view over read_parquet of its files, in the files' column order.
// Thread-safety: one call per connection at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/file_system.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "verify/duckdb_engine.h"

namespace gaggle {

struct TableLoadRequest {
  std::string table;                       // table to create (quoted as needed)
  std::string root;                        // the dataset: a file or a directory tree of data files
  std::vector<std::string> columns;        // columns to load (kept in the data's order); empty: all
  const MigrationSpec* through = nullptr;  // old side: keep only the rows the transform keeps
  std::optional<Schema> text_schema;       // typing for CSV / JSON lines files
  size_t batch_rows = 64 * 1024;
};

struct TableLoadStats {
  int64_t files = 0;
  int64_t rows_read = 0;
  int64_t rows_loaded = 0;
  int64_t rows_excluded = 0;              // filtered or dead-lettered by the migration (old side only)
  std::vector<std::string> column_names;  // as created, in order
  std::optional<Schema> schema;           // the data's schema (first file; see above), when it has files
};

// Creates `request.table` (failing if it exists) and fills it. Errors name the dataset's
// file and, for a missing column, the columns the data has.
Result<TableLoadStats> LoadDuckDbTable(DuckDbConnection* conn, const TableLoadRequest& request,
                                       FileSystem* fs = FileSystem::Default());

// The spec's transform reduced to `schema`'s columns: rename, cast and drop entries naming a
// column the dataset does not have are left out, so one spec's rename applies to every
// migrated dataset that has the column (the verifier reads the old side of each through it).
TransformSpec TransformForSchema(const TransformSpec& transform, const Schema& schema);

// True when every data file of `root` is Parquet (and there is at least one).
bool IsParquetDataset(const std::string& root, FileSystem* fs = FileSystem::Default());

// CREATE VIEW `view` over the Parquet files of `root` (a file or a directory tree).
Status CreateParquetView(DuckDbConnection* conn, const std::string& view, const std::string& root,
                         FileSystem* fs = FileSystem::Default());

}  // namespace gaggle
