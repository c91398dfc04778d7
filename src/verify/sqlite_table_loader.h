// SqliteTableLoader: copies the columns a query needs from one dataset (a data file,
// or a directory tree of them, in any supported format) into a table of an SQLite
// database, streaming a batch at a time, so a consumer's SQL can run against it.
//
// Values are stored the way verification's SQL dialect expects (verify/sqlite_dialect.h):
// integers and booleans (0/1) as INTEGER, floating point and decimals as REAL, strings
// as TEXT, binary as BLOB, dates as TEXT "YYYY-MM-DD" and timestamps as ISO 8601 TEXT
// ("2024-05-01T12:00:00.123000Z"), nulls as NULL.
//
// With `through` set (the old side of a migration), each batch first goes through the
// migration's Transformer and only the rows it keeps are loaded, with their OLD values:
// rows the spec filters out on purpose and rows dead-lettered within the budget are not
// answers consumers get from the new data, and are counted in the stats instead.
// Thread-safety: one load per database connection at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/file_system.h"
#include "common/status.h"
#include "spec/migration_spec.h"

namespace gaggle {

struct TableLoadRequest {
  std::string table;                       // SQLite table to create: a plain identifier
  std::string root;                        // the dataset: a file or a directory tree of data files
  std::vector<std::string> columns;        // columns to load, in this order; empty: all
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
};

// Creates `request.table` (failing if it exists) and fills it. Errors name the
// dataset's file and, for a missing column, the columns the data has.
Result<TableLoadStats> LoadSqliteTable(sqlite3* db, const TableLoadRequest& request,
                                       FileSystem* fs = FileSystem::Default());

// `name` double-quoted for SQL ("a""b" for a"b).
std::string QuoteSqlIdentifier(const std::string& name);

}  // namespace gaggle
