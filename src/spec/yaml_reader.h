// YamlReader: walks a parsed YAML document for a spec parser, collecting every
// problem instead of stopping at the first (internal to src/spec).
//
// Each problem reads "ORIGIN:LINE:COL: key.path: message" (1-based line and
// column from yaml-cpp's marks). Readers of scalars return nullopt after
// recording a problem, so callers simply skip the value. Unknown map keys are
// reported with a "did you mean" suggestion; duplicate keys are reported too.
// yaml-cpp exceptions never escape: the spec parser catches them at its boundary.
// Thread-safety: one reader per parse.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

class YamlReader {
 public:
  explicit YamlReader(std::string origin) : origin_(std::move(origin)) {}

  // "origin:line:col" of a node (origin alone when the mark is unknown).
  std::string Location(const YAML::Node& node) const;
  std::string Location(const YAML::Mark& mark) const;

  void Problem(const YAML::Mark& mark, const std::string& path, const std::string& message);
  void Problem(const YAML::Node& at, const std::string& path, const std::string& message) {
    Problem(at.Mark(), path, message);
  }
  bool ok() const { return problems_.empty(); }
  // InvalidArgument listing every problem, one per line (at most kMaxProblems).
  Status ToStatus() const;

  // Calls fn(key, key_node, value) for each entry of a map. With `known` non-empty,
  // keys outside it are reported (with a suggestion) and skipped. A null node is an
  // empty map; anything else that is not a map is a problem. Duplicate keys are
  // reported and only the first is passed on.
  using EntryFn = std::function<void(const std::string& key, const YAML::Node& key_node, const YAML::Node& value)>;
  void ForEachEntry(const YAML::Node& node, const std::string& path, const std::vector<std::string>& known,
                    const EntryFn& fn);
  // Calls fn(index, item) for each item of a list; a scalar counts as a one-item list.
  void ForEachItem(const YAML::Node& node, const std::string& path,
                   const std::function<void(size_t, const YAML::Node&)>& fn);

  // Scalar readers: nullopt (and a problem) when the node is not a suitable scalar.
  std::optional<std::string> String(const YAML::Node& v, const std::string& path, bool allow_empty = false);
  std::optional<int64_t> Int(const YAML::Node& v, const std::string& path, int64_t min, int64_t max);
  std::optional<uint64_t> Unsigned(const YAML::Node& v, const std::string& path);
  std::optional<double> Number(const YAML::Node& v, const std::string& path, double min, double max);
  std::optional<bool> Bool(const YAML::Node& v, const std::string& path);
  std::optional<double> Fraction(const YAML::Node& v, const std::string& path);
  std::optional<double> Percentage(const YAML::Node& v, const std::string& path);
  std::optional<std::chrono::milliseconds> Duration(const YAML::Node& v, const std::string& path);
  // A list of non-empty strings (a single scalar is a one-item list).
  std::vector<std::string> StringList(const YAML::Node& v, const std::string& path);

  // True for a plain null / ~ / empty value (not for a quoted "null").
  static bool IsNull(const YAML::Node& v) { return v.IsNull(); }

  // Past this many problems the rest are counted, not listed.
  static constexpr size_t kMaxProblems = 50;

 private:
  std::string origin_;
  std::vector<std::string> problems_;
  size_t dropped_ = 0;
};

// "a list", "a map", "a scalar", "null": for messages.
std::string DescribeNode(const YAML::Node& node);

}  // namespace gaggle
