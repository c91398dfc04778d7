// The shape of one SELECT statement, found from its tokens without a full SQL
// grammar: its query blocks (each SELECT core or VALUES list, nested subqueries
// and CTE bodies included), each block's FROM sources (tables, subqueries, table
// functions, with aliases and USING lists) and every identifier chain that may
// name a column (function names, aliases, type names, table names and keywords
// are left out). The query rewriter resolves these against a schema.
//
// Positions are indices into `sig`, the significant (non-trivia) tokens.
// Statements that are not a single query (two statements, no SELECT), unbalanced
// parentheses and unsupported FROM shapes (parenthesised joins) are Status errors
// naming "line L col C". Input of any size or nesting never crashes (nesting is
// capped). Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "verify/sql_lexer.h"

namespace gaggle {

// Deepest nesting of parentheses accepted; deeper input is an error.
constexpr int kMaxSqlNesting = 200;

enum class SqlClause { kSelect, kFrom, kJoinOn, kWhere, kGroupBy, kHaving, kWindow, kQualify, kOrderBy, kLimit };

struct SqlColumnRef {
  std::vector<size_t> parts;  // the identifier tokens of the chain a.b.c (at least one unless star)
  bool star = false;          // `*` (parts empty) or `a.*` (parts = the qualifier)
  SqlClause clause = SqlClause::kSelect;
};

struct SqlSource {
  enum class Kind { kTable, kSubquery, kFunction };
  Kind kind = Kind::kTable;
  std::vector<size_t> name;            // kTable / kFunction: identifier parts of the name
  int query = -1;                      // kSubquery: index into QueryStructure::queries
  int cte = -1;                        // kTable naming a visible CTE: index into ctes
  long alias = -1;                     // sig index of the alias, -1 when none
  std::vector<size_t> column_aliases;  // alias(a, b): sig indices of a, b
  bool natural = false;                // joined with NATURAL JOIN
  std::vector<size_t> using_columns;   // JOIN ... USING (a, b): sig indices of a, b
};

struct SqlSelectItem {
  size_t begin = 0, end = 0;    // sig range of the whole item
  long alias = -1;              // sig index of the output alias, -1 when none
  int ref = -1;                 // index into the block's refs when the item is exactly one column chain or star
  bool star_modifiers = false;  // `* EXCLUDE (...)`, `* REPLACE (...)`: outputs are not just the star's columns
};

struct SqlQueryBlock {
  int parent = -1;      // lexically enclosing block, -1 at top level
  bool values = false;  // a VALUES list, not a SELECT
  size_t start = 0;     // sig index of SELECT / VALUES
  std::vector<SqlSource> sources;
  std::vector<SqlColumnRef> refs;
  std::vector<SqlSelectItem> items;
};

// A query expression: its blocks joined by UNION/INTERSECT/EXCEPT; the first
// block names the output columns.
struct SqlQueryExpr {
  std::vector<int> blocks;
};

struct SqlCte {
  size_t name = 0;                     // sig index of the CTE's name
  int query = -1;                      // its body
  std::vector<size_t> column_aliases;  // WITH name(a, b) AS ...
};

struct QueryStructure {
  std::vector<SqlToken> tokens;  // every token of the statement
  std::vector<size_t> sig;       // indices into tokens of the significant ones
  std::vector<SqlQueryBlock> blocks;
  std::vector<SqlQueryExpr> queries;
  std::vector<SqlCte> ctes;
  int top = -1;  // the statement's query

  const SqlToken& Sig(size_t i) const { return tokens[sig[i]]; }
};

// Tokenizes and scans `sql`. The tokens' views point into `sql`.
Result<QueryStructure> ScanQueryStructure(std::string_view sql);

}  // namespace gaggle
