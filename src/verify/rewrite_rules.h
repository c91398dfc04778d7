// What a migration did to the datasets a consumer query reads, as the query
// rewriter (verify/query_rewriter.h) needs it: per migrated dataset its new table
// name and old columns with renames and drops; per other dataset its columns.
// Thread-safety: plain values.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

// One migrated dataset.
struct TableChange {
  std::string new_table;                       // dotted name of the table in the new location ("events.raw_v2")
  std::vector<std::string> columns;            // the OLD dataset's column names, in order
  std::map<std::string, std::string> renamed;  // old column -> new column
  std::set<std::string> dropped;               // old columns the migration drops
  // The table keeps its name as the query writes it (only its columns change): a
  // consumer whose output a propagated rename changes (verify/consumer_rules.h).
  bool keep_name = false;
};

struct RewriteRules {
  std::map<std::string, TableChange> migrated;                   // key: dataset id ("events.raw")
  std::map<std::string, std::vector<std::string>> other_tables;  // read but not migrated: id -> columns
  // The output contract: a renamed column the query outputs without an alias is written
  // `new AS old`, so its readers see the old name. False propagates the rename instead
  // (its readers must follow it).
  bool preserve_output_names = true;
};

// Checks the rules: renamed/dropped columns exist in `columns`, no column is both
// renamed and dropped, new names are unique, ids and new tables have no empty part.
Status ValidateRewriteRules(const RewriteRules& rules);

// "a.b.c" -> {"a", "b", "c"}; "" -> {""}.
std::vector<std::string> SplitDatasetId(const std::string& id);

}  // namespace gaggle
