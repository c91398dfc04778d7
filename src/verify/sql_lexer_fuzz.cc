// libFuzzer target: any bytes through the SQL lexer must never crash, and when
// they tokenize, the tokens must give the input back exactly, in order, with
// line/column positions that agree with their offsets.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "verify/sql_lexer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto tokens = gaggle::TokenizeSql(sql);
  if (!tokens.ok()) return 0;
  size_t offset = 0;
  int line = 1, column = 1;
  for (const gaggle::SqlToken& t : *tokens) {
    if (t.text.empty() || t.offset != offset || t.text.data() != sql.data() + offset) __builtin_trap();
    if (t.line != line || t.column != column) __builtin_trap();
    for (char c : t.text) {
      if (c == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    offset += t.text.size();
  }
  if (offset != size) __builtin_trap();
  return 0;
}
