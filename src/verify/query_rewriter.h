// Rewrites one consumer query (DuckDB/PostgreSQL-ish SELECT) for the schema a
// migration produces: table references to migrated datasets point at the new
// table, column references follow renames, everything else (strings, comments,
// spacing, case and quoting) stays as written. Token-wise, not a full SQL parser:
// it understands SELECT blocks, FROM lists with joins and aliases, subqueries,
// CTEs and set operations, and refuses rather than guesses.
//
// Names: a table reference (identifier chain after FROM / JOIN / ',') matches a
// dataset id split on '.', part by part, case-insensitively for bare parts and
// exactly for quoted ones (a single quoted part may also equal the whole id; a
// leading bare `main.` or `public.`, the default schemas, is ignored). The
// new table is written part by part, double-quoted only when a part is not a plain
// identifier or is a keyword. A renamed column keeps its quoting style; bare stays
// bare when the new name is plain (upper-cased when written all upper case).
// Function names, aliases, type names, keywords, strings and comments are never
// touched. Output names follow renames (`SELECT user_id` now yields account_id),
// and references to a CTE's or derived table's columns follow them too. A column
// whose (new) name would be captured by another table's column, or in ORDER BY /
// HAVING / QUALIFY by an output alias, is qualified with its table's alias (or
// new table name). Output aliases bind before columns in ORDER BY only.
//
// Refusals are Status errors naming "line L col C" and the column or table:
//   SchemaMismatch  a column the migration drops is used (also via USING or a
//                   CTE); an unqualified column is ambiguous (renamed in one read
//                   table and unrenamed in another, also an output alias in HAVING
//                   / QUALIFY, or possibly a column of a table function or VALUES
//                   list); a name that matched no column would match a renamed one;
//                   the query reads no known dataset, or reads a table that is
//                   neither migrated, in other_tables nor a CTE
//   Unsupported     NATURAL JOIN with a migrated table that renames or drops,
//                   parenthesised joins, column aliases on a migrated table
//                   (`FROM t AS x(a, b)`), UNION BY NAME, FROM-first queries
//   InvalidArgument malformed text (unterminated string, unbalanced or too deeply
//                   nested parentheses, more than one statement, no SELECT) or
//                   inconsistent rules (ValidateRewriteRules)
// Thread-safety: pure function.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "verify/rewrite_rules.h"

namespace gaggle {

struct RewrittenQuery {
  std::string sql;  // the rewritten query (== input when nothing changed)
  bool changed = false;
  std::vector<std::string> tables;  // dataset ids the query reads, sorted, unique
  // Per dataset id read: OLD column names the query uses (all on `*` / `t.*`), in table column order.
  std::map<std::string, std::vector<std::string>> columns_needed;
  // Per migrated dataset id read: NEW column names the rewritten query uses, in old column order.
  std::map<std::string, std::vector<std::string>> new_columns_needed;
  // In query order: "line 1 col 8: user_id -> account_id",
  // "line 1 col 60: table payments_raw_orders -> payments_raw_orders_v2",
  // "line 1 col 8: qualifier events_raw -> events_raw_v2", and notes such as
  // "line 1 col 8: * no longer includes legacy_flag (dropped from events_raw)".
  std::vector<std::string> edits;
  // The query's output columns, by their names before the rewrite, in order ("" for an
  // expression without an alias); outputs_known is false when a `*` covers a source whose
  // columns are unknown (a table function, VALUES, `* EXCLUDE`...).
  std::vector<std::string> outputs;
  bool outputs_known = true;
  // Output columns the rewrite renamed: old name -> new name. Empty when the rules keep
  // output names (RewriteRules::preserve_output_names), which write `new AS old`.
  std::map<std::string, std::string> renamed_outputs;
  // Output columns (old names) the rewritten query no longer outputs: a `*` over a table
  // whose column the migration drops.
  std::set<std::string> dropped_outputs;
};

// Checks `rules` first (ValidateRewriteRules).
Result<RewrittenQuery> RewriteQuery(std::string_view sql, const RewriteRules& rules);

}  // namespace gaggle
