#include "verify/query_patch.h"

#include "verify/line_diff.h"
#include "verify/sql_lexer.h"

namespace gaggle {
namespace {

bool IsTrailingSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The query as the file holds it, without its terminator.
std::string Trimmed(std::string q) {
  while (!q.empty() && IsTrailingSpace(q.back())) q.pop_back();
  if (!q.empty() && q.back() == ';') q.pop_back();
  while (!q.empty() && IsTrailingSpace(q.back())) q.pop_back();
  return q;
}

// Whether a ';' appended to `q` would land inside a trailing line comment.
bool EndsInLineComment(const std::string& q) {
  auto tokens = TokenizeSql(q);
  if (tokens.ok()) return !tokens->empty() && tokens->back().kind == SqlTokenKind::kLineComment;
  // Text that does not tokenize: judge by its last line alone.
  const size_t nl = q.rfind('\n');
  return q.find("--", nl == std::string::npos ? 0 : nl + 1) != std::string::npos;
}

}  // namespace

std::string QueryPatchPath(const std::string& consumer_id) {
  std::string path;
  size_t start = 0;
  for (;;) {
    const size_t slash = consumer_id.find('/', start);
    std::string part = consumer_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    for (char& c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == ':' || c == '-';
      if (!ok) c = '_';
    }
    if (part.empty() || part == "." || part == "..") part.assign(1, '_');
    path += part;
    path += '/';
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return path + "queries.sql";
}

std::string RenderQueriesFile(const std::vector<std::string>& queries) {
  std::string out;
  for (size_t i = 0; i < queries.size(); ++i) {
    if (i > 0) out += "\n";
    const std::string q = Trimmed(queries[i]);
    out += q + (EndsInLineComment(q) ? "\n;\n" : ";\n");
  }
  return out;
}

std::vector<std::string> PatchedQueries(const std::vector<QueryPatchEntry>& queries) {
  std::vector<std::string> out;
  for (const QueryPatchEntry& e : queries) {
    if (e.refused.empty()) {
      out.push_back(e.rewritten.empty() ? e.original : e.rewritten);
      continue;
    }
    std::string reason = e.refused;
    for (char& c : reason) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    out.push_back("-- gaggle: cannot rewrite: " + reason + "\n" + e.original);
  }
  return out;
}

std::string RenderQueryPatch(const std::string& consumer_id, const std::vector<QueryPatchEntry>& queries) {
  std::vector<std::string> originals;
  for (const QueryPatchEntry& e : queries) originals.push_back(e.original);
  const std::string path = QueryPatchPath(consumer_id);
  return UnifiedDiff(RenderQueriesFile(originals), RenderQueriesFile(PatchedQueries(queries)), "a/" + path,
                     "b/" + path);
}

Status CheckRepoRelativePath(const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("path '" + path + "' cannot name a file in the repository: " + why);
  };
  if (path.empty()) return bad("it is empty");
  if (path.front() == '/') return bad("it is absolute (name it relative to the repository's root)");
  for (char c : path) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '\'' || c == '\\') {
      return bad("it holds a space, control character, quote or backslash");
    }
  }
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == ".") return bad("it has an empty or '.' component");
    if (part == "..") return bad("it climbs out with '..'");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::OK();
}

std::string RenderFilePatch(const std::string& path, std::string_view before, std::string_view after) {
  const std::string diff = UnifiedDiff(before, after, "a/" + path, "b/" + path);
  if (diff.empty()) return diff;
  return "diff --git a/" + path + " b/" + path + "\n" + diff;
}

}  // namespace gaggle
