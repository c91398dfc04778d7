// TpchCorpus: the analytic SQL corpus downstream verification is proven on (the 22 TPC-H
// queries, written for gaggle from the TPC-H specification's text, in tests/corpus/tpch/),
// with gaggle's own data generator for them (tests/corpus/tpch/generate.sql, run in the
// verification engine) and a migration of its eight tables that renames and retypes
// columns. The unit tests (tpch_corpus_test.cc) and the benchmark
// (bench/verify_tpch_bench.cc) share it.
//
//   GenerateTpch       writes region, nation, supplier, part, partsupp, customer, orders and
//                      lineitem as one Parquet file each (the old data)
//   MigrateTable       the migration's new data: old file -> Transformer -> new Parquet, with an
//                      optional fault applied to each output batch (a planted wrong mapping)
//   TpchCatalog        the eight datasets and one consumer per query ("component:tpch-q01"...)
// Thread-safety: free functions; calls on different folders are independent.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "columnar/record_batch.h"
#include "common/status.h"
#include "spec/migration_spec.h"

namespace gaggle {

inline const std::vector<std::string>& TpchTables() {
  static const std::vector<std::string> tables = {"region",   "nation",   "supplier", "part",
                                                  "partsupp", "customer", "orders",   "lineitem"};
  return tables;
}

struct CorpusQuery {
  std::string name;  // "q01"
  std::string sql;   // the file's text, comments and all
};

// The corpus' queries (every *.sql but generate.sql), sorted by name.
Result<std::vector<CorpusQuery>> LoadCorpusQueries(const std::string& corpus_dir);

// Runs corpus_dir/generate.sql at scale factor `sf`, writing out_dir/TABLE.parquet.
// `memory_limit` bounds the engine (DuckDB syntax).
Status GenerateTpch(const std::string& corpus_dir, double sf, const std::string& out_dir,
                    const std::string& memory_limit = "2GB");

// Reads old_path, applies `spec`'s transform (TransformForSchema, verify/duckdb_table_loader.h), calls `fault` (when
// set) on each output batch, and writes new_path as Parquet (snappy).
Status MigrateTable(const MigrationSpec& spec, const std::string& old_path, const std::string& new_path,
                    const std::function<void(RecordBatch*)>& fault = nullptr);

// Datasets "region" ... "lineitem" at old_dir/TABLE.parquet, and one consumer per query
// reading all of them. Finalized.
Result<Catalog> TpchCatalog(const std::string& old_dir, const std::vector<CorpusQuery>& queries);

}  // namespace gaggle
