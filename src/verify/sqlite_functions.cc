#include "verify/sqlite_functions.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string Lower(const unsigned char* text) {
  std::string s = text ? reinterpret_cast<const char*>(text) : "";
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s.size() > 1 && s.back() == 's' && s != "microseconds" && s != "milliseconds") s.pop_back();
  if (s == "microseconds") s = "microsecond";
  if (s == "milliseconds") s = "millisecond";
  return s;
}

// The argument as microseconds since the epoch; false (with an SQL error set) when it
// is not a timestamp. *is_null for NULL.
bool ArgMicros(sqlite3_context* ctx, sqlite3_value* v, int64_t* micros, bool* is_null) {
  *is_null = sqlite3_value_type(v) == SQLITE_NULL;
  if (*is_null) return true;
  const unsigned char* t = sqlite3_value_text(v);
  std::string text = t ? reinterpret_cast<const char*>(t) : "";
  if (!ParseTimestamp(text, micros)) {
    std::string msg = "'" + text.substr(0, 64) + "' is not a timestamp";
    sqlite3_result_error(ctx, msg.c_str(), -1);
    return false;
  }
  return true;
}

struct Civil {
  int64_t year;
  unsigned month, day;
  int64_t days;    // since the epoch
  int64_t of_day;  // microseconds into the day
};

Civil ToCivil(int64_t micros) {
  Civil c;
  c.days = FloorDiv(micros, kMicrosPerDay);
  c.of_day = micros - c.days * kMicrosPerDay;
  CivilFromDays(c.days, &c.year, &c.month, &c.day);
  return c;
}

// 1970-01-01 was a Thursday; ISO weekday 1 = Monday.
int IsoWeekday(int64_t days) { return static_cast<int>((((days % 7) + 7) % 7 + 3) % 7) + 1; }

int IsoWeek(const Civil& c) {
  const int64_t thursday = c.days - IsoWeekday(c.days) + 4;
  int64_t y;
  unsigned m, d;
  CivilFromDays(thursday, &y, &m, &d);
  return static_cast<int>((thursday - DaysFromCivil(y, 1, 1)) / 7 + 1);
}

bool Truncate(const std::string& unit, int64_t micros, int64_t* out) {
  const Civil c = ToCivil(micros);
  const int64_t day_start = c.days * kMicrosPerDay;
  if (unit == "microsecond")
    *out = micros;
  else if (unit == "millisecond")
    *out = FloorDiv(micros, 1000) * 1000;
  else if (unit == "second")
    *out = FloorDiv(micros, kMicrosPerSecond) * kMicrosPerSecond;
  else if (unit == "minute")
    *out = FloorDiv(micros, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
  else if (unit == "hour")
    *out = FloorDiv(micros, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
  else if (unit == "day")
    *out = day_start;
  else if (unit == "week")
    *out = (c.days - (IsoWeekday(c.days) - 1)) * kMicrosPerDay;
  else if (unit == "month")
    *out = DaysFromCivil(c.year, c.month, 1) * kMicrosPerDay;
  else if (unit == "quarter")
    *out = DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
  else if (unit == "year")
    *out = DaysFromCivil(c.year, 1, 1) * kMicrosPerDay;
  else
    return false;
  return true;
}

bool Part(const std::string& unit, int64_t micros, int64_t* out) {
  const Civil c = ToCivil(micros);
  if (unit == "year")
    *out = c.year;
  else if (unit == "quarter")
    *out = (c.month - 1) / 3 + 1;
  else if (unit == "month")
    *out = c.month;
  else if (unit == "week")
    *out = IsoWeek(c);
  else if (unit == "day")
    *out = c.day;
  else if (unit == "dow")
    *out = IsoWeekday(c.days) % 7;
  else if (unit == "isodow")
    *out = IsoWeekday(c.days);
  else if (unit == "doy")
    *out = c.days - DaysFromCivil(c.year, 1, 1) + 1;
  else if (unit == "hour")
    *out = c.of_day / (3600 * kMicrosPerSecond);
  else if (unit == "minute")
    *out = c.of_day / (60 * kMicrosPerSecond) % 60;
  else if (unit == "second")
    *out = c.of_day / kMicrosPerSecond % 60;
  else if (unit == "epoch")
    *out = FloorDiv(micros, kMicrosPerSecond);
  else
    return false;
  return true;
}

void UnknownUnit(sqlite3_context* ctx, const char* fn, const std::string& unit) {
  std::string msg = std::string(fn) + ": unknown unit '" + unit + "'";
  sqlite3_result_error(ctx, msg.c_str(), -1);
}

// The (unit, timestamp) arguments of date_trunc and date_part. False when the result is
// already set: NULL for a NULL argument, or an error for text that is not a timestamp.
bool UnitAndInstant(sqlite3_context* ctx, sqlite3_value** argv, std::string* unit, int64_t* micros) {
  bool is_null = false;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return false;
  }
  if (!ArgMicros(ctx, argv[1], micros, &is_null)) return false;
  if (is_null) {
    sqlite3_result_null(ctx);
    return false;
  }
  *unit = Lower(sqlite3_value_text(argv[0]));
  return true;
}

void DateTrunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  std::string unit;
  int64_t micros = 0, out = 0;
  if (!UnitAndInstant(ctx, argv, &unit, &micros)) return;
  if (!Truncate(unit, micros, &out)) return UnknownUnit(ctx, "date_trunc", unit);
  const std::string text = FormatTimestamp(out);
  sqlite3_result_text(ctx, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void DatePart(sqlite3_context* ctx, int, sqlite3_value** argv) {
  std::string unit;
  int64_t micros = 0, out = 0;
  if (!UnitAndInstant(ctx, argv, &unit, &micros)) return;
  if (!Part(unit, micros, &out)) return UnknownUnit(ctx, "date_part", unit);
  sqlite3_result_int64(ctx, out);
}

// year(ts) and friends: date_part with the unit bound as user data.
void Shorthand(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int64_t micros = 0;
  bool is_null = false;
  if (!ArgMicros(ctx, argv[0], &micros, &is_null)) return;
  if (is_null) return sqlite3_result_null(ctx);
  int64_t out = 0;
  Part(static_cast<const char*>(sqlite3_user_data(ctx)), micros, &out);
  sqlite3_result_int64(ctx, out);
}

}  // namespace

Status RegisterVerificationFunctions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  int rc = sqlite3_create_function_v2(db, "date_trunc", 2, flags, nullptr, DateTrunc, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "date_part", 2, flags, nullptr, DatePart, nullptr, nullptr, nullptr);
  }
  static const char* kShorthands[] = {"year", "month", "day", "hour", "epoch"};
  for (const char* name : kShorthands) {
    if (rc != SQLITE_OK) break;
    rc = sqlite3_create_function_v2(db, name, 1, flags, const_cast<char*>(name), Shorthand, nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) return Status::Internal(std::string("registering SQL functions: ") + sqlite3_errmsg(db));
  return Status::OK();
}

}  // namespace gaggle
