#include "verify/query_result.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

// A value reduced to what comparison looks at: numbers as doubles (integers exactly
// when they fit), timestamps as their instant, other text and blobs as bytes.
struct Canonical {
  int rank = 0;  // 0 null, 1 number, 2 instant, 3 text, 4 blob
  bool is_integer = false;
  int64_t integer = 0;
  double number = 0;
  std::string text;
};

bool LooksLikeTimestamp(const std::string& s) {
  return s.size() >= 10 && s.size() <= 40 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[3])) && s[4] == '-' && s[7] == '-';
}

Canonical Canonicalize(const SqlValue& v) {
  Canonical c;
  switch (v.kind) {
    case SqlValue::Kind::kNull: break;
    case SqlValue::Kind::kInteger:
      c.rank = 1;
      c.is_integer = true;
      c.integer = v.integer;
      c.number = static_cast<double>(v.integer);
      break;
    case SqlValue::Kind::kReal:
      c.rank = 1;
      c.number = v.real;
      break;
    case SqlValue::Kind::kText: {
      int64_t micros = 0;
      if (LooksLikeTimestamp(v.text) && ParseTimestamp(v.text, &micros)) {
        c.rank = 2;
        c.integer = micros;
      } else {
        c.rank = 3;
        c.text = v.text;
      }
      break;
    }
    case SqlValue::Kind::kBlob:
      c.rank = 4;
      c.text = v.text;
      break;
  }
  return c;
}

bool NumbersClose(const Canonical& a, const Canonical& b, double tol) {
  if (a.is_integer && b.is_integer) return a.integer == b.integer;
  if (std::isnan(a.number) || std::isnan(b.number)) return std::isnan(a.number) && std::isnan(b.number);
  if (a.number == b.number) return true;
  const double scale = std::max({1.0, std::fabs(a.number), std::fabs(b.number)});
  return std::fabs(a.number - b.number) <= tol * scale;
}

// Total order used for sorting (exact); -1, 0, 1.
int Order(const Canonical& a, const Canonical& b) {
  if (a.rank != b.rank) return a.rank < b.rank ? -1 : 1;
  switch (a.rank) {
    case 0: return 0;
    case 1:
      if (a.is_integer && b.is_integer) return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
      if (std::isnan(a.number) || std::isnan(b.number)) {
        return std::isnan(a.number) == std::isnan(b.number) ? 0 : std::isnan(a.number) ? 1 : -1;
      }
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case 2: return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
    default: return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
  }
}

bool Close(const Canonical& a, const Canonical& b, double tol) {
  if (a.rank != b.rank) return false;
  if (a.rank == 1) return NumbersClose(a, b, tol);
  return Order(a, b) == 0;
}

using CanonicalRow = std::vector<Canonical>;

int RowOrder(const CanonicalRow& a, const CanonicalRow& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    int o = Order(a[i], b[i]);
    if (o) return o;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

bool RowsClose(const CanonicalRow& a, const CanonicalRow& b, double tol) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Close(a[i], b[i], tol)) return false;
  }
  return true;
}

std::vector<size_t> SortedOrder(const std::vector<CanonicalRow>& rows) {
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return RowOrder(rows[a], rows[b]) < 0; });
  return order;
}

std::string Plural(int64_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

}  // namespace

std::string SqlValue::ToString() const {
  switch (kind) {
    case Kind::kNull: return "NULL";
    case Kind::kInteger: return std::to_string(integer);
    case Kind::kReal: return FormatDouble(real);
    case Kind::kText: {
      std::string out = "'";
      for (char c : text) {
        out += c;
        if (c == '\'') out += '\'';
      }
      return out + "'";
    }
    case Kind::kBlob: return "x'" + HexEncode(text) + "'";
  }
  return "?";
}

std::string RowToString(const SqlRow& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + row[i].ToString();
  return out + ")";
}

ResultDiff CompareQueryResults(const QueryResult& old_result, const QueryResult& new_result, double float_tolerance,
                               size_t max_examples) {
  ResultDiff diff;
  if (old_result.columns.size() != new_result.columns.size()) {
    diff.same = false;
    diff.reason = "the old answer has " + Plural(static_cast<int64_t>(old_result.columns.size()), "column") +
                  ", the new one " + std::to_string(new_result.columns.size());
    return diff;
  }
  auto canon = [](const QueryResult& r) {
    std::vector<CanonicalRow> rows;
    rows.reserve(r.rows.size());
    for (const SqlRow& row : r.rows) {
      CanonicalRow c;
      c.reserve(row.size());
      for (const SqlValue& v : row) c.push_back(Canonicalize(v));
      rows.push_back(std::move(c));
    }
    return rows;
  };
  const std::vector<CanonicalRow> a = canon(old_result), b = canon(new_result);
  const std::vector<size_t> oa = SortedOrder(a), ob = SortedOrder(b);
  size_t i = 0, j = 0;
  auto only = [&](bool old_side, size_t row) {
    if (old_side) {
      ++diff.only_old;
      if (diff.examples_old.size() < max_examples) diff.examples_old.push_back(old_result.rows[row]);
    } else {
      ++diff.only_new;
      if (diff.examples_new.size() < max_examples) diff.examples_new.push_back(new_result.rows[row]);
    }
  };
  while (i < oa.size() && j < ob.size()) {
    const CanonicalRow& x = a[oa[i]];
    const CanonicalRow& y = b[ob[j]];
    if (RowsClose(x, y, float_tolerance)) {
      ++i;
      ++j;
    } else if (RowOrder(x, y) < 0) {
      only(true, oa[i++]);
    } else {
      only(false, ob[j++]);
    }
  }
  for (; i < oa.size(); ++i) only(true, oa[i]);
  for (; j < ob.size(); ++j) only(false, ob[j]);
  if (diff.only_old || diff.only_new) {
    diff.same = false;
    diff.reason = Plural(diff.only_old, "row") + " only in the old answer, " + Plural(diff.only_new, "row") +
                  " only in the new (of " + std::to_string(old_result.rows.size()) + " and " +
                  std::to_string(new_result.rows.size()) + ")";
  }
  return diff;
}

}  // namespace gaggle
