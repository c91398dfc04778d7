// The output contract of a rewritten query (verify/query_rewriter.h): what a query outputs
// keeps its names, so the consumer's own readers keep working. A renamed column output
// bare becomes `new AS old`; a `*` (or `q.*`) whose columns the migration renames cannot
// carry an alias, so it is written out: its columns in order, each renamed one as
// `new AS old`. This unit renders that list.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gaggle {

struct StarColumn {
  std::string qualifier;  // "" or how the query names the column's table ("o", "v2.events")
  std::string now;        // the column's name after the migration
  std::string output;     // the name the query must keep outputting
};

// "a, q.ordered_on AS order_date, q.status": names bare when plain and not reserved, else
// double-quoted.
std::string ExpandStarKeepingNames(const std::vector<StarColumn>& columns);

}  // namespace gaggle
