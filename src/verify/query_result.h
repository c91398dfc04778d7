// QueryResult: the rows one SQL query returned, and their comparison as multisets.
//
// Two results are the same answer when they have the same number of columns and the
// same rows with the same multiplicity, in any order (SQL without ORDER BY promises
// none), where:
//   - numbers compare by value, integers and reals alike (5 == 5.0), reals within a
//     relative tolerance (|a - b| <= tol * max(1, |a|, |b|)): summing floats in another
//     order is not a different answer;
//   - text that is an ISO 8601 timestamp compares as the instant it names
//     ("2024-05-01T12:00:00.123Z" == "2024-05-01T12:00:00.123000Z");
//   - NULL equals NULL (as GROUP BY and DISTINCT treat it).
// Column names are not compared: a consumer's aliases are its own.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct SqlValue {
  enum class Kind { kNull, kInteger, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string text;  // kText and kBlob

  // SQL-ish rendering for messages: NULL, 42, 4.5, 'DE', x'00ff'.
  std::string ToString() const;
};

using SqlRow = std::vector<SqlValue>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<SqlRow> rows;
};

struct ResultDiff {
  bool same = true;
  std::string reason;  // "2 rows only in the old answer, 1 only in the new" ...
  int64_t only_old = 0, only_new = 0;
  std::vector<SqlRow> examples_old;  // up to max_examples rows of each side that have no partner
  std::vector<SqlRow> examples_new;
};

ResultDiff CompareQueryResults(const QueryResult& old_result, const QueryResult& new_result, double float_tolerance,
                               size_t max_examples = 5);

// "(DE, 12, 4.5)".
std::string RowToString(const SqlRow& row);

}  // namespace gaggle
