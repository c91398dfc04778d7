// SqlDialect: the SQL dialect a consumer declares (catalog annotation
// `gaggle.dev/sql-dialect`: duckdb, postgres, snowflake, bigquery, spark; duckdb when
// absent), and the translation of its queries into DuckDB's dialect for verification only.
// Consumers' files are rewritten in their own dialect (the rewriter keeps every token it
// does not rename); this translation never reaches a patch.
//
// Translated, token by token (comments and spacing kept):
//   all          `quoted` identifiers (BigQuery, Spark) -> "quoted"
//   snowflake    DATEADD / TIMESTAMPADD(unit, n, x)  -> (x + INTERVAL (n) unit)
//                DATEDIFF / TIMESTAMPDIFF(unit, a, b) -> date_diff('unit', a, b)
//                IFF(c, a, b)                          -> (CASE WHEN c THEN a ELSE b END)
//   bigquery     DATE_TRUNC / TIMESTAMP_TRUNC / DATETIME_TRUNC(x, unit) -> date_trunc('unit', x)
//                DATE_SUB / TIMESTAMP_SUB / DATETIME_SUB(x, INTERVAL n unit) -> (x - INTERVAL n unit)
//                DATE_ADD / TIMESTAMP_ADD / DATETIME_ADD(x, INTERVAL n unit) -> (x + INTERVAL n unit)
//                DATE_DIFF / TIMESTAMP_DIFF / DATETIME_DIFF(a, b, unit) -> date_diff('unit', b, a)
//                SAFE_DIVIDE(a, b) -> (CASE WHEN (b) = 0 THEN NULL ELSE (a) / (b) END)
//   spark        DATE_ADD(x, n) -> (x + INTERVAL (n) DAY), DATE_SUB(x, n) -> (x - INTERVAL (n) DAY),
//                DATEDIFF(end, start) -> date_diff('day', start, end)
// QUALIFY, EXTRACT, INTERVAL literals, window functions and the rest run in DuckDB as written.
// What cannot be translated is Unsupported naming the construct, "line L col C" and the
// dialect (Snowflake FLATTEN and `:` paths into VARIANT, BigQuery SAFE.* and
// `FOR SYSTEM_TIME AS OF`), never dropped silently; a wrong argument count is InvalidArgument.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle {

enum class SqlDialect { kDuckDb, kPostgres, kSnowflake, kBigQuery, kSpark };

inline constexpr std::string_view kSqlDialectAnnotation = "gaggle.dev/sql-dialect";

// "duckdb", "postgres" (also "postgresql"), "snowflake", "bigquery", "spark" (also
// "databricks", "sparksql"); case-insensitive. InvalidArgument listing them otherwise.
Result<SqlDialect> ParseSqlDialect(std::string_view name);
const char* SqlDialectName(SqlDialect dialect);

Result<std::string> ToDuckDbDialect(std::string_view sql, SqlDialect dialect);

}  // namespace gaggle
