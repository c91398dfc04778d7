#include "validate/validation_result.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

using nlohmann::json;

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, v);
  return buf;
}

std::string NumText(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

std::string Count(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// A number of the column's type, for quantiles and means: dates and timestamps as such.
std::string RenderValue(const DataType& type, double v) {
  if (std::isfinite(v)) {
    if (type.id == TypeId::kDate) return FormatDate(static_cast<int32_t>(std::llround(v)));
    if (type.id == TypeId::kTimestamp) return FormatTimestamp(static_cast<int64_t>(std::llround(v)), type.utc);
  }
  return NumText(v);
}

json SideToJson(const SideReport& side) {
  json j = {{"path", side.path},
            {"files", side.files},
            {"bytes", side.bytes},
            {"rows", side.rows},
            {"rows_compared", side.rows_compared},
            {"checksum", side.checksum},
            {"seconds", side.seconds}};
  j["schema"] = json::array();
  for (const Field& f : side.schema.fields()) {
    j["schema"].push_back({{"name", f.name}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  j["schema_notes"] = side.schema_notes;
  j["columns"] = json::array();
  for (const ColumnSummary& c : side.columns) j["columns"].push_back(ColumnSummaryToJson(c));
  return j;
}

const ColumnSummary* FindSummary(const std::vector<ColumnSummary>& columns, const std::string& name) {
  for (const ColumnSummary& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string TopValuesText(const ColumnSummary& c, size_t limit) {
  if (c.top_values.empty()) return "-";
  const int64_t non_null = c.rows - c.nulls;
  std::string out;
  for (size_t i = 0; i < c.top_values.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    std::string v = c.top_values[i].value;
    if (v.size() > 20) v = v.substr(0, 17) + "...";
    out += v + " " +
           Pct(non_null > 0 ? 100.0 * static_cast<double>(c.top_values[i].count) / static_cast<double>(non_null) : 0) +
           "%";
  }
  if (!c.top_values_exact) out += " (approx.)";
  return out;
}

// Rows "  stat   old | new" for one column present on one or both sides.
void AppendColumnText(std::ostringstream& os, const ColumnSummary* a, const ColumnSummary* b) {
  const ColumnSummary& any = a ? *a : *b;
  os << "  " << any.name << "  " << any.type.ToString();
  if (a && b && a->type != b->type) os << " -> " << b->type.ToString();
  if (!a) os << "  (new side only)";
  if (!b) os << "  (missing on the new side)";
  if (a && b && a->fingerprint != b->fingerprint) os << "  [values differ]";
  os << "\n";
  auto line = [&](const std::string& stat, const std::string& va, const std::string& vb) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "    %-10s", stat.c_str());
    os << buf << (a ? va : "") << (a && b ? " | " : "") << (b ? vb : "") << (a && b && va != vb ? "   *" : "") << "\n";
  };
  auto get = [](const ColumnSummary* c, auto f) { return c ? f(*c) : std::string(); };
  line("nulls", get(a, [](const ColumnSummary& c) { return Count(c.nulls); }),
       get(b, [](const ColumnSummary& c) { return Count(c.nulls); }));
  if (any.nans > 0 || (b && b->nans > 0)) {
    line("NaNs", get(a, [](const ColumnSummary& c) { return Count(c.nans); }),
         get(b, [](const ColumnSummary& c) { return Count(c.nans); }));
  }
  line("min", get(a, [](const ColumnSummary& c) { return c.min_text.value_or("-"); }),
       get(b, [](const ColumnSummary& c) { return c.min_text.value_or("-"); }));
  line("max", get(a, [](const ColumnSummary& c) { return c.max_text.value_or("-"); }),
       get(b, [](const ColumnSummary& c) { return c.max_text.value_or("-"); }));
  if (any.mean || (b && b->mean)) {
    line("mean", get(a, [](const ColumnSummary& c) { return c.mean ? RenderValue(c.type, *c.mean) : "-"; }),
         get(b, [](const ColumnSummary& c) { return c.mean ? RenderValue(c.type, *c.mean) : "-"; }));
  }
  line("distinct", get(a, [](const ColumnSummary& c) { return NumText(std::round(c.distinct)); }),
       get(b, [](const ColumnSummary& c) { return NumText(std::round(c.distinct)); }));
  if (!any.quantiles.empty() || (b && !b->quantiles.empty())) {
    auto q = [](const ColumnSummary& c) {
      if (c.quantiles.empty()) return std::string("-");
      std::string out;
      for (size_t i = 0; i < c.quantiles.size(); ++i) out += (i ? " " : "") + RenderValue(c.type, c.quantiles[i]);
      return out;
    };
    line("p01..p99", get(a, q), get(b, q));
  }
  if (!any.top_values.empty() || (b && !b->top_values.empty())) {
    line("top", get(a, [](const ColumnSummary& c) { return TopValuesText(c, 4); }),
         get(b, [](const ColumnSummary& c) { return TopValuesText(c, 4); }));
  }
}

}  // namespace

nlohmann::json ColumnSummaryToJson(const ColumnSummary& s) {
  json j = {{"name", s.name},
            {"type", s.type.ToString()},
            {"rows", s.rows},
            {"nulls", s.nulls},
            {"nans", s.nans},
            {"distinct", std::round(s.distinct)},
            {"fingerprint", Hex64(s.fingerprint)}};
  if (s.min) j["min"] = *s.min;
  if (s.max) j["max"] = *s.max;
  if (s.mean) j["mean"] = *s.mean;
  if (s.min_text) j["min_text"] = *s.min_text;
  if (s.max_text) j["max_text"] = *s.max_text;
  if (!s.quantiles.empty()) {
    json q = json::object();
    for (size_t i = 0; i < s.quantiles.size() && i < kNumQuantiles; ++i) {
      char name[8];
      std::snprintf(name, sizeof(name), "p%02d", static_cast<int>(std::lround(kQuantileLevels[i] * 100)));
      q[name] = s.quantiles[i];
    }
    j["quantiles"] = q;
    j["sample_size"] = s.sample_size;
  }
  if (!s.top_values.empty()) {
    j["top_values"] = json::array();
    for (const ValueCount& v : s.top_values) j["top_values"].push_back({{"value", v.value}, {"count", v.count}});
    j["top_values_exact"] = s.top_values_exact;
  }
  return j;
}

bool ValidationResult::passed() const {
  for (const ValidationCheck& c : checks) {
    if (!c.passed) return false;
  }
  return true;
}

std::vector<const ValidationCheck*> ValidationResult::Failures() const {
  std::vector<const ValidationCheck*> out;
  for (const ValidationCheck& c : checks) {
    if (!c.passed) out.push_back(&c);
  }
  return out;
}

std::string ValidationResult::FailureSummary() const {
  std::string out;
  for (const ValidationCheck* c : Failures()) out += (out.empty() ? "" : ", ") + c->Label();
  return out;
}

nlohmann::json ValidationResult::ToJson() const {
  json j = {{"format_version", 1},
            {"passed", passed()},
            {"migration", migration},
            {"spec_hash", spec_hash},
            {"seconds", seconds}};
  j["failed_checks"] = json::array();
  for (const ValidationCheck* c : Failures()) j["failed_checks"].push_back(c->Label());
  j["checks"] = json::array();
  for (const ValidationCheck& c : checks) {
    json cj = {{"name", c.name}, {"passed", c.passed}, {"skipped", c.skipped}, {"message", c.message}};
    if (!c.column.empty()) cj["column"] = c.column;
    if (c.observed) cj["observed"] = *c.observed;
    if (c.threshold) cj["threshold"] = *c.threshold;
    j["checks"].push_back(std::move(cj));
  }
  j["counts"] = {{"old_rows", old_side.rows},
                 {"compared_rows", old_side.rows_compared},
                 {"rejected", rejected},
                 {"filtered", filtered},
                 {"new_rows", new_side.rows},
                 {"dead_lettered", dead_lettered},
                 {"dead_letter_file", has_dead_letter_file}};
  j["old"] = SideToJson(old_side);
  j["new"] = SideToJson(new_side);
  if (manifest) {
    j["manifest"] = {{"rows_in", manifest->counts.rows_in},
                     {"rows_out", manifest->counts.rows_out},
                     {"dead_lettered", manifest->counts.dead_lettered},
                     {"filtered", manifest->counts.filtered},
                     {"content_checksum", manifest->content_checksum},
                     {"spec_hash", manifest->spec_hash},
                     {"agent", manifest->agent.name + " " + manifest->agent.version}};
  } else {
    j["manifest"] = nullptr;
  }
  return j;
}

std::string ValidationResult::ToText() const {
  std::ostringstream os;
  const auto failures = Failures();
  if (failures.empty()) {
    os << "validation PASSED: all " << checks.size() << " checks passed\n";
  } else {
    os << "validation FAILED: " << failures.size() << " of " << checks.size() << " checks failed: " << FailureSummary()
       << "\n";
  }
  os << "  migration " << (migration.empty() ? "-" : migration) << ", " << Pct(seconds) << " s\n";
  os << "  old  " << old_side.path << "  (" << old_side.files << " file" << (old_side.files == 1 ? "" : "s") << ", "
     << Count(static_cast<int64_t>(old_side.bytes)) << " bytes): " << Count(old_side.rows) << " rows, "
     << Count(old_side.rows_compared) << " after the transformation (" << Count(rejected) << " rejected, "
     << Count(filtered) << " filtered)\n";
  os << "  new  " << new_side.path << "  (" << new_side.files << " file" << (new_side.files == 1 ? "" : "s") << ", "
     << Count(static_cast<int64_t>(new_side.bytes)) << " bytes): " << Count(new_side.rows) << " rows, "
     << Count(dead_lettered) << " dead-lettered" << (has_dead_letter_file ? "" : " (no dead-letter file)")
     << (manifest ? ", manifest present" : ", no manifest") << "\n";
  os << "\nchecks\n";
  size_t width = 0;
  for (const ValidationCheck& c : checks) width = std::max(width, c.Label().size());
  for (const ValidationCheck& c : checks) {
    std::string label = c.Label();
    label.resize(width, ' ');
    os << "  " << (c.skipped ? "SKIP" : c.passed ? "PASS" : "FAIL") << "  " << label << "  ";
    std::string measure;
    if (c.observed) measure = NumText(*c.observed);
    if (c.threshold) measure += (c.passed ? " <= " : " > ") + NumText(*c.threshold);
    if (measure.size() < 18) measure.resize(18, ' ');
    os << measure << "  " << c.message << "\n";
  }
  os << "\ncolumns (old mapped | new)\n";
  for (const ColumnSummary& a : old_side.columns) AppendColumnText(os, &a, FindSummary(new_side.columns, a.name));
  for (const ColumnSummary& b : new_side.columns) {
    if (!FindSummary(old_side.columns, b.name)) AppendColumnText(os, nullptr, &b);
  }
  return os.str();
}

}  // namespace gaggle
