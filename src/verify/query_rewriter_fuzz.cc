// libFuzzer target: any text through the query rewriter (fixed rules: a migrated
// events table with renames and a drop, an unmigrated users table), the SQLite
// translation and the patch renderer must never crash or hang. A query the
// rewriter leaves unchanged must come back byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>

#include "verify/query_patch.h"
#include "verify/query_rewriter.h"

namespace {

const gaggle::RewriteRules& Rules() {
  static const gaggle::RewriteRules* rules = [] {
    auto* r = new gaggle::RewriteRules;
    gaggle::TableChange c;
    c.new_table = "events.raw_v2";
    c.columns = {"user_id", "ts", "amount", "legacy_flag", "country", "session"};
    c.renamed = {{"user_id", "account_id"}, {"ts", "event_time"}};
    c.dropped = {"legacy_flag"};
    r->migrated["events_raw"] = c;
    r->migrated["events.raw"] = c;
    r->other_tables["users"] = {"user_id", "name", "account_id"};
    return r;
  }();
  return *rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string sql(reinterpret_cast<const char*>(data), size);
  auto rewritten = gaggle::RewriteQuery(sql, Rules());
  gaggle::QueryPatchEntry entry{sql, "", ""};
  if (rewritten.ok()) {
    if (!rewritten->changed && rewritten->sql != sql) __builtin_trap();
    entry.rewritten = rewritten->sql;
  } else {
    entry.refused = rewritten.status().message();
  }
  (void)gaggle::RenderQueryPatch("component:default/fuzz", {entry});
  return 0;
}
