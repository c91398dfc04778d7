// libFuzzer target: any bytes, in every dialect, through the translation for verification
// must never crash or hang; DuckDB and PostgreSQL come back unchanged, and a translation
// that succeeds is itself tokenizable (it is valid input for the engine's lexer).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "verify/sql_dialect.h"
#include "verify/sql_lexer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  for (gaggle::SqlDialect d :
       {gaggle::SqlDialect::kDuckDb, gaggle::SqlDialect::kPostgres, gaggle::SqlDialect::kSnowflake,
        gaggle::SqlDialect::kBigQuery, gaggle::SqlDialect::kSpark}) {
    auto out = gaggle::ToDuckDbDialect(sql, d);
    if (!out.ok()) continue;
    if ((d == gaggle::SqlDialect::kDuckDb || d == gaggle::SqlDialect::kPostgres) && *out != sql) __builtin_trap();
    if (d != gaggle::SqlDialect::kDuckDb && d != gaggle::SqlDialect::kPostgres && !gaggle::TokenizeSql(*out).ok()) {
      __builtin_trap();
    }
  }
  return 0;
}
