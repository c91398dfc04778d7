#include "verify/output_contract.h"

#include "verify/sql_identifier.h"

namespace gaggle {

std::string ExpandStarKeepingNames(const std::vector<StarColumn>& columns) {
  std::string out;
  for (const StarColumn& c : columns) {
    if (!out.empty()) out += ", ";
    if (!c.qualifier.empty()) out += c.qualifier + ".";
    out += RenderSqlName(c.now);
    if (c.now != c.output) out += " AS " + RenderSqlName(c.output);
  }
  return out;
}

}  // namespace gaggle
