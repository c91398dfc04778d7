#include "validate/validation_checks.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "validate/drift.h"

namespace gaggle {
namespace {

// Thresholds are compared with a hair of slack so that "1%" admits exactly 1%.
bool WithinThreshold(double observed, double threshold) { return observed <= threshold * (1 + 1e-9) + 1e-12; }

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

std::string Percent(double fraction) { return Num(fraction * 100) + "%"; }

ValidationCheck Measure(std::string name, std::string column, double observed, double threshold, std::string message) {
  ValidationCheck c;
  c.name = std::move(name);
  c.column = std::move(column);
  c.observed = observed;
  c.threshold = threshold;
  c.passed = WithinThreshold(observed, threshold);
  c.message = std::move(message);
  return c;
}

const ColumnSummary* FindColumn(const std::vector<ColumnSummary>& columns, const std::string& name) {
  for (const ColumnSummary& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ValidationCheck RowCountCheck(const GatesSpec& gates, const ValidationResult& r) {
  const int64_t old_rows = r.old_side.rows;
  const int64_t accounted = r.new_side.rows + r.dead_lettered + r.filtered;
  const int64_t diff = old_rows - accounted;
  double fraction = 0;
  if (old_rows > 0) {
    fraction = std::fabs(static_cast<double>(diff)) / static_cast<double>(old_rows);
  } else if (accounted != 0) {
    fraction = 1;
  }
  std::string message = "old " + std::to_string(old_rows) + " rows vs new " + std::to_string(r.new_side.rows) +
                        " + dead-lettered " + std::to_string(r.dead_lettered) + " + filtered " +
                        std::to_string(r.filtered) + " = " + std::to_string(accounted);
  if (diff > 0) message += ": " + std::to_string(diff) + " rows unaccounted for";
  if (diff < 0) message += ": " + std::to_string(-diff) + " rows too many";
  return Measure("row_count", "", fraction, gates.row_count_tolerance, message);
}

ValidationCheck ChecksumCheck(const GatesSpec& gates, const ValidationResult& r) {
  ValidationCheck c;
  c.name = "checksum";
  if (!gates.checksum) {
    c.skipped = true;
    c.message = "disabled (gates.checksum: false)";
    return c;
  }
  c.passed = r.old_side.checksum == r.new_side.checksum;
  if (c.passed) {
    c.message = "old mapped = new = " + r.new_side.checksum + " over " + std::to_string(r.new_side.rows) + " rows";
    return c;
  }
  c.message = "old mapped " + r.old_side.checksum + " (" + std::to_string(r.old_side.rows_compared) + " rows) != new " +
              r.new_side.checksum + " (" + std::to_string(r.new_side.rows) + " rows)";
  std::string differing;
  for (const ColumnSummary& a : r.old_side.columns) {
    const ColumnSummary* b = FindColumn(r.new_side.columns, a.name);
    if (b && b->type == a.type && b->fingerprint != a.fingerprint)
      differing += (differing.empty() ? "" : ", ") + a.name;
  }
  if (!differing.empty()) {
    c.message += "; columns whose values differ: " + differing;
  } else if (r.old_side.rows_compared == r.new_side.rows) {
    c.message += "; every column holds the same values, so rows were recombined (values moved between rows)";
  }
  return c;
}

ValidationCheck SchemaCheck(const ValidationResult& r) {
  ValidationCheck c;
  c.name = "schema";
  const Schema& want = r.old_side.schema;
  const Schema& got = r.new_side.schema;
  std::vector<std::string> problems = r.new_side.schema_notes;
  std::vector<std::string> notes;
  for (const Field& f : want.fields()) {
    int i = got.FindField(f.name);
    if (i < 0) {
      problems.push_back("missing column '" + f.name + "' (" + f.type.ToString() + ")");
      continue;
    }
    const Field& g = got.field(static_cast<size_t>(i));
    if (g.type.id == TypeId::kTimestamp && f.type.id == TypeId::kTimestamp && g.type.utc != f.type.utc) {
      // The values may even be equal: what changed is their meaning (a wall clock or an instant).
      auto meaning = [](const DataType& t) { return t.utc ? " (an instant, UTC-adjusted)" : " (naive, no time zone)"; };
      problems.push_back("column '" + f.name + "' is " + g.type.ToString() + meaning(g.type) + ", target " +
                         f.type.ToString() + meaning(f.type) +
                         ": a change of timestamp semantics the spec does not declare (declare it with a cast)");
    } else if (g.type != f.type) {
      problems.push_back("column '" + f.name + "' is " + g.type.ToString() + ", target " + f.type.ToString());
    }
    if (g.nullable != f.nullable) {
      notes.push_back("'" + f.name + "' is " + (g.nullable ? "nullable" : "not null") + ", target " +
                      (f.nullable ? "nullable" : "not null"));
    }
  }
  for (const Field& g : got.fields()) {
    if (want.FindField(g.name) < 0) problems.push_back("extra column '" + g.name + "' (" + g.type.ToString() + ")");
  }
  if (problems.empty()) {
    bool same_order = want.num_fields() == got.num_fields();
    for (size_t i = 0; same_order && i < want.num_fields(); ++i) same_order = want.field(i).name == got.field(i).name;
    if (!same_order)
      problems.push_back("columns in another order: {" + got.ToString() + "}, target {" + want.ToString() + "}");
  }
  c.passed = problems.empty();
  if (c.passed) {
    c.message = std::to_string(want.num_fields()) + " columns match the target schema";
  } else {
    for (const std::string& p : problems) c.message += (c.message.empty() ? "" : "; ") + p;
  }
  if (!notes.empty()) {
    c.message += " (nullability differs: ";
    for (size_t i = 0; i < notes.size(); ++i) c.message += (i ? ", " : "") + notes[i];
    c.message += ")";
  }
  return c;
}

ValidationCheck DeadLetterCheck(const GatesSpec& gates, int64_t min_count, const ValidationResult& r) {
  const int64_t old_rows = r.old_side.rows;
  double fraction = old_rows > 0 ? static_cast<double>(r.dead_lettered) / static_cast<double>(old_rows)
                                 : (r.dead_lettered > 0 ? 1.0 : 0.0);
  std::string message = std::to_string(r.dead_lettered) + " of " + std::to_string(old_rows) + " rows dead-lettered (" +
                        Percent(fraction) + ", limit " + Percent(gates.max_dlq_fraction) + ")";
  if (r.rejected != r.dead_lettered) {
    message += "; the transformation rejects " + std::to_string(r.rejected);
  }
  ValidationCheck c = Measure("dead_letter_fraction", "", fraction, gates.max_dlq_fraction, message);
  if (!c.passed && r.dead_lettered <= min_count) {
    c.passed = true;
    c.message += "; within dead_letter.min_count " + std::to_string(min_count);
  }
  return c;
}

ValidationCheck ManifestCheck(const ValidationResult& r) {
  ValidationCheck c;
  c.name = "manifest";
  if (!r.manifest_error.empty()) {
    c.passed = false;
    c.message = r.manifest_error;
    return c;
  }
  if (!r.manifest) {
    c.skipped = true;
    c.message = "the new dataset has no manifest";
    return c;
  }
  const Manifest& m = *r.manifest;
  std::vector<std::string> problems;
  auto expect = [&](const char* what, int64_t claimed, int64_t seen) {
    if (claimed != seen) {
      problems.push_back(std::string(what) + ": manifest " + std::to_string(claimed) + ", found " +
                         std::to_string(seen));
    }
  };
  expect("rows in", m.counts.rows_in, r.old_side.rows);
  expect("rows out", m.counts.rows_out, r.new_side.rows);
  expect("dead-lettered", m.counts.dead_lettered, r.dead_lettered);
  expect("filtered", m.counts.filtered, r.filtered);
  if (!m.content_checksum.empty() && m.content_checksum != r.new_side.checksum) {
    problems.push_back("content checksum: manifest " + m.content_checksum + ", data read " + r.new_side.checksum);
  }
  c.passed = problems.empty();
  if (c.passed) {
    c.message = "counts and checksum agree with the data read";
  } else {
    for (const std::string& p : problems) c.message += (c.message.empty() ? "" : "; ") + p;
  }
  return c;
}

void DriftChecks(const GatesSpec& gates, const ValidationResult& r, std::vector<ValidationCheck>* checks) {
  for (const ColumnSummary& a : r.old_side.columns) {
    const ColumnSummary* b = FindColumn(r.new_side.columns, a.name);
    if (!b || b->type != a.type) continue;  // the schema check reports it
    const double null_delta = NullRateDelta(a.nulls, a.rows, b->nulls, b->rows);
    checks->push_back(
        Measure("null_rate_delta", a.name, null_delta, gates.null_rate_delta_max,
                "null rate " + Percent(a.rows ? static_cast<double>(a.nulls) / static_cast<double>(a.rows) : 0) +
                    " -> " + Percent(b->rows ? static_cast<double>(b->nulls) / static_cast<double>(b->rows) : 0)));
    switch (KindOfType(a.type)) {
      case ColumnKind::kNumeric: {
        const double ks = KolmogorovSmirnov(a.sample, b->sample);
        checks->push_back(Measure(
            "ks", a.name, ks, gates.ks_max,
            "samples of " + std::to_string(a.sample.size()) + " and " + std::to_string(b->sample.size()) + " values"));
        break;
      }
      case ColumnKind::kCategorical:
      case ColumnKind::kOpaque: {
        double tv;
        std::string how;
        if (a.categories_exact && b->categories_exact) {
          tv = TotalVariation(a.categories, b->categories);
          how = "exact over " + std::to_string(std::max(a.categories.size(), b->categories.size())) + " values";
        } else {
          tv = TotalVariationOfBins(a.histogram, b->histogram);
          how = "over " + std::to_string(a.histogram.size()) +
                " hashed bins (a lower bound; too many distinct values to count exactly)";
        }
        checks->push_back(Measure("category_tv", a.name, tv, gates.category_tv_max, how));
        break;
      }
    }
  }
}

}  // namespace

void EvaluateChecks(const GatesSpec& gates, int64_t dead_letter_min_count, ValidationResult* result) {
  std::vector<ValidationCheck>& checks = result->checks;
  checks.clear();
  checks.push_back(RowCountCheck(gates, *result));
  checks.push_back(ChecksumCheck(gates, *result));
  checks.push_back(SchemaCheck(*result));
  checks.push_back(DeadLetterCheck(gates, dead_letter_min_count, *result));
  checks.push_back(ManifestCheck(*result));
  DriftChecks(gates, *result, &checks);
}

}  // namespace gaggle
