// DbtModelSql: the Jinja of one dbt model file — found, rendered to plain SQL for
// execution, and seen through for rewriting so the file keeps it.
//
// Jinja blocks: {{ ... }} expressions, {% ... %} statements, {# ... #} comments. Kinds:
//   ref      {{ ref('m') }}, {{ ref('package', 'm') }} (the last argument is the model)
//   source   {{ source('s', 't') }}
//   config   {{ config(...) }}: configuration, no SQL
//   comment  {# ... #}
//   other    any other expression or statement (macros, vars, control flow)
// Arguments are single- or double-quoted strings; a call with anything else is `other`.
//
// Rendering replaces each ref and source by the relation the caller names, and config
// and comments by nothing (their newlines kept, so lines stay); `other` cannot be
// rendered without dbt: Unsupported naming "line L col C" and the block.
// Rewriting hands the file to RewriteSqlFile (verify/sql_file.h) with every ref and source
// standing in as a table the rules know by `key_of` (migrated: columns renamed, the table
// name kept, as the Jinja stays), config, comments and statements as SQL comments, other
// expressions as opaque names; then puts every block back exactly as written.
// Errors: InvalidArgument naming the place of an unterminated block.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "verify/rewrite_rules.h"
#include "verify/sql_file.h"

namespace gaggle {

struct DbtJinja {
  enum class Kind { kRef, kSource, kConfig, kComment, kOther };
  Kind kind = Kind::kOther;
  size_t begin = 0, end = 0;  // the block, delimiters included
  int line = 1, column = 1;
  std::vector<std::string> args;  // ref: {model} (or {package, model}); source: {source, table}
  std::string_view text;          // view into the scanned model text
};

Result<std::vector<DbtJinja>> ScanDbtJinja(std::string_view sql);

// The models a file refs (the last argument of each ref), in order, unique.
Result<std::vector<std::string>> DbtRefs(std::string_view sql);

// Plain SQL: `relation` gives the text of each ref and source.
Result<std::string> RenderDbtModel(std::string_view sql,
                                   const std::function<Result<std::string>(const DbtJinja&)>& relation);

// `rules` keyed by key_of(ref or source).
Result<SqlFileRewrite> RewriteDbtModel(std::string_view sql, const RewriteRules& rules,
                                       const std::function<std::string(const DbtJinja&)>& key_of);

}  // namespace gaggle
