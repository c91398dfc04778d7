#include "spec/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "columnar/value_format.h"
#include "common/suggest.h"
#include "spec/spec_values.h"

namespace gaggle {

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Null: return "nothing";
    default: return "an undefined value";
  }
}

std::string YamlReader::Location(const YAML::Mark& mark) const {
  if (mark.line < 0 || mark.column < 0) return origin_;
  return origin_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string YamlReader::Location(const YAML::Node& node) const { return Location(node.Mark()); }

void YamlReader::Problem(const YAML::Mark& mark, const std::string& path, const std::string& message) {
  if (problems_.size() >= kMaxProblems) {
    ++dropped_;
    return;
  }
  problems_.push_back(Location(mark) + ": " + (path.empty() ? "" : path + ": ") + message);
}

Status YamlReader::ToStatus() const {
  if (problems_.empty()) return Status::OK();
  std::string message;
  for (const std::string& p : problems_) {
    if (!message.empty()) message += "\n";
    message += p;
  }
  if (dropped_ > 0) message += "\n... and " + std::to_string(dropped_) + " more problems";
  return Status::InvalidArgument(message);
}

void YamlReader::ForEachEntry(const YAML::Node& node, const std::string& path, const std::vector<std::string>& known,
                              const EntryFn& fn) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    Problem(node, path, "expected a map (key: value), got " + DescribeNode(node));
    return;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies, not references: yaml-cpp's it-> returns a temporary proxy.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    if (!key_node.IsScalar()) {
      Problem(key_node, path, "keys must be plain text, got " + DescribeNode(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    std::string key_path = path.empty() ? key : path + "." + key;
    if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      Problem(key_node, path.empty() ? "" : path, "unknown key '" + key + "'" + DidYouMean(key, known));
      continue;
    }
    if (!seen.insert(key).second) {
      Problem(key_node, key_path, "duplicate key '" + key + "'");
      continue;
    }
    fn(key, key_node, value);
  }
}

void YamlReader::ForEachItem(const YAML::Node& node, const std::string& path,
                             const std::function<void(size_t, const YAML::Node&)>& fn) {
  if (node.IsNull()) return;
  if (node.IsScalar()) {
    fn(0, node);
    return;
  }
  if (!node.IsSequence()) {
    Problem(node, path, "expected a list, got " + DescribeNode(node));
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) fn(i, node[i]);
}

std::optional<std::string> YamlReader::String(const YAML::Node& v, const std::string& path, bool allow_empty) {
  if (!v.IsScalar()) {
    Problem(v, path, "expected text, got " + DescribeNode(v));
    return std::nullopt;
  }
  if (!allow_empty && v.Scalar().empty()) {
    Problem(v, path, "must not be empty");
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<int64_t> YamlReader::Int(const YAML::Node& v, const std::string& path, int64_t min, int64_t max) {
  int64_t out;
  if (!v.IsScalar() || !ParseInt64(v.Scalar(), &out)) {
    Problem(v, path, "expected an integer, got " + DescribeNode(v));
    return std::nullopt;
  }
  if (out < min || out > max) {
    Problem(v, path,
            std::to_string(out) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return std::nullopt;
  }
  return out;
}

std::optional<uint64_t> YamlReader::Unsigned(const YAML::Node& v, const std::string& path) {
  if (v.IsScalar()) {
    const std::string& s = v.Scalar();
    uint64_t out = 0;
    bool ok = !s.empty() && s.size() <= 20;
    for (char c : s) {
      ok = ok && c >= '0' && c <= '9' && !__builtin_mul_overflow(out, 10u, &out) &&
           !__builtin_add_overflow(out, static_cast<uint64_t>(c - '0'), &out);
      if (!ok) break;
    }
    if (ok) return out;
  }
  Problem(v, path, "expected a non-negative integer, got " + DescribeNode(v));
  return std::nullopt;
}

std::optional<double> YamlReader::Number(const YAML::Node& v, const std::string& path, double min, double max) {
  double out;
  if (!v.IsScalar() || !ParseDouble(v.Scalar(), &out) || !std::isfinite(out)) {
    Problem(v, path, "expected a number, got " + DescribeNode(v));
    return std::nullopt;
  }
  if (out < min || out > max) {
    Problem(v, path, v.Scalar() + " is out of range [" + FormatDouble(min) + ", " + FormatDouble(max) + "]");
    return std::nullopt;
  }
  return out;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& v, const std::string& path) {
  if (v.IsScalar()) {
    std::string s = v.Scalar();
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  Problem(v, path, "expected true or false, got " + DescribeNode(v));
  return std::nullopt;
}

std::optional<double> YamlReader::Fraction(const YAML::Node& v, const std::string& path) {
  if (!v.IsScalar()) {
    Problem(v, path, "expected a fraction (1% or 0.01), got " + DescribeNode(v));
    return std::nullopt;
  }
  auto r = ParseFraction(v.Scalar());
  if (!r.ok()) {
    Problem(v, path, r.status().message());
    return std::nullopt;
  }
  return *r;
}

std::optional<double> YamlReader::Percentage(const YAML::Node& v, const std::string& path) {
  if (!v.IsScalar()) {
    Problem(v, path, "expected a percentage (25% or 0.25), got " + DescribeNode(v));
    return std::nullopt;
  }
  auto r = ParsePercentage(v.Scalar());
  if (!r.ok()) {
    Problem(v, path, r.status().message());
    return std::nullopt;
  }
  return *r;
}

std::optional<std::chrono::milliseconds> YamlReader::Duration(const YAML::Node& v, const std::string& path) {
  if (!v.IsScalar()) {
    Problem(v, path, "expected a duration (30s, 10m, 1h, 30d), got " + DescribeNode(v));
    return std::nullopt;
  }
  auto r = ParseDuration(v.Scalar());
  if (!r.ok()) {
    Problem(v, path, r.status().message());
    return std::nullopt;
  }
  return *r;
}

std::vector<std::string> YamlReader::StringList(const YAML::Node& v, const std::string& path) {
  std::vector<std::string> out;
  ForEachItem(v, path, [&](size_t i, const YAML::Node& item) {
    auto s = String(item, path + "[" + std::to_string(i) + "]");
    if (s) out.push_back(*s);
  });
  return out;
}

}  // namespace gaggle
