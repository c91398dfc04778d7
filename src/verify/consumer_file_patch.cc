// MakeConsumerFilePatch: a consumer's real SQL files, rewritten and diffed (consumer_file_patch.h).
#include "verify/consumer_file_patch.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/annotations.h"
#include "verify/query_patch.h"
#include "verify/sql_file.h"

namespace gaggle {
namespace fs = std::filesystem;
namespace {

std::string TrimSpace(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The git work tree holding `file` (nearest parent with a .git entry), else its directory.
std::string RepositoryRoot(const fs::path& file) {
  const fs::path dir = file.parent_path();
  std::error_code ec;
  fs::path at = dir;
  for (int depth = 0; depth < 64 && !at.empty(); ++depth) {  // bounded: paths are not deeper
    if (fs::exists(at / ".git", ec)) return at.string();
    if (at == at.root_path() || at.parent_path() == at) break;
    at = at.parent_path();
  }
  return dir.string();
}

bool ReadRegularFile(const fs::path& path, std::string* out) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return static_cast<bool>(in) || in.eof();
}

}  // namespace

std::vector<std::string> SplitQueriesPaths(const std::string& annotation) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= annotation.size()) {
    size_t end = annotation.find_first_of(",\n", start);
    if (end == std::string::npos) end = annotation.size();
    std::string p = TrimSpace(annotation.substr(start, end - start));
    if (!p.empty()) out.push_back(std::move(p));
    start = end + 1;
  }
  return out;
}

std::optional<ConsumerFilePatch> MakeConsumerFilePatch(const Entity& consumer, const RewriteRules& rules,
                                                       std::string* why) {
  auto say = [&](const std::string& reason) -> std::optional<ConsumerFilePatch> {
    if (why) *why = reason;
    return std::nullopt;
  };
  auto note = consumer.annotations.find(std::string(annotations::kQueriesPath));
  if (note == consumer.annotations.end()) return say("no " + std::string(annotations::kQueriesPath) + " annotation");
  if (consumer.annotations.count(std::string(annotations::kDbtProject))) return say("a dbt project");
  const std::vector<std::string> paths = SplitQueriesPaths(note->second);
  if (paths.empty()) return say("an empty " + std::string(annotations::kQueriesPath));
  std::error_code ec;
  if (consumer.source.empty() || !fs::is_regular_file(consumer.source, ec)) {
    return say("its declaration file '" + consumer.source + "' cannot be found");
  }
  ConsumerFilePatch out;
  out.root = RepositoryRoot(fs::absolute(fs::path(consumer.source), ec));
  for (const std::string& p : paths) {
    if (Status bad = CheckRepoRelativePath(p); !bad.ok()) return say(bad.message());
    std::string text;
    if (!ReadRegularFile(fs::path(out.root) / p, &text)) return say("cannot read " + p + " in " + out.root);
    auto rewrite = RewriteSqlFile(text, rules);
    if (!rewrite.ok()) return say(p + ": " + rewrite.status().message());
    out.statements += static_cast<int>(rewrite->statements.size());
    out.rewritten += rewrite->Changed();
    out.refused += rewrite->Refused();
    out.patch += RenderFilePatch(p, text, rewrite->text);
  }
  return out;
}

}  // namespace gaggle
