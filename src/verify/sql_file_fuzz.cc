// libFuzzer target: any bytes through the SQL file splitter must never crash; when they
// split, the statement spans must be in order, inside the text, never overlapping, and
// rewriting every statement as itself must give the file back byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "verify/sql_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spans = gaggle::SplitSqlFile(text);
  if (!spans.ok()) return 0;
  size_t last = 0;
  for (const gaggle::SqlStatementSpan& s : *spans) {
    if (s.begin < last || s.end <= s.begin || s.end > size) __builtin_trap();
    last = s.end;
  }
  auto same = gaggle::RewriteSqlFile(text, [](std::string_view statement) -> gaggle::Result<gaggle::RewrittenQuery> {
    gaggle::RewrittenQuery q;
    q.sql = std::string(statement);
    return q;
  });
  if (!same.ok() || same->text != text) __builtin_trap();
  (void)gaggle::SqlStatementKey(text);
  return 0;
}
