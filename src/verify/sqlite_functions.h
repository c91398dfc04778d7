// The SQL functions consumers' DuckDB/PostgreSQL-style queries use that SQLite lacks,
// registered on a verification database connection. Timestamps are ISO 8601 text
// (verify/sqlite_table_loader.h); results are ISO 8601 text too.
//   date_trunc(unit, ts)  unit: microseconds, milliseconds, second, minute, hour, day,
//                         week (ISO, Monday), month, quarter, year (plural and any case)
//   date_part(unit, ts)   the field as an integer: year, quarter, month, week (ISO), day,
//                         dow (0 = Sunday), isodow, doy, hour, minute, second, epoch
//   year(ts), month(ts), day(ts), hour(ts), epoch(ts)   shorthands of date_part
// NULL in, NULL out; text that is not a timestamp and an unknown unit are SQL errors
// naming the value. Deterministic, so SQLite may use them anywhere.
// Thread-safety: registration is per connection.
#pragma once

#include <sqlite3.h>

#include "common/status.h"

namespace gaggle {

Status RegisterVerificationFunctions(sqlite3* db);

}  // namespace gaggle
