// Shared helpers of the YAML catalog parsers (see catalog_yaml_internal.h).
#include <cctype>
#include <cstdlib>

#include "catalog/catalog_yaml_internal.h"
#include "columnar/schema.h"
#include "common/ascii.h"
#include "dataset/format_table.h"

namespace gaggle::catalog_yaml {
namespace {

const char* NodeTypeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: return "missing";
  }
  return "unknown";
}

}  // namespace

void DocContext::Problem(const YAML::Node& at, std::string message) const {
  draft->AddProblem(file, Line(at), Column(at), std::move(message));
}

void DocContext::Problem(int line, int column, std::string message) const {
  draft->AddProblem(file, line, column, std::move(message));
}

int Line(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark m = node.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

int Column(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark m = node.Mark();
  return m.column >= 0 ? m.column + 1 : 0;
}

bool GetScalar(const YAML::Node& map, const char* key, const DocContext& ctx, std::string* out, bool required,
               const std::string& what) {
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required)
      ctx.Problem(map, (what.empty() ? std::string() : what + ": ") + "missing required field '" + key + "'");
    return false;
  }
  if (!n.IsScalar()) {
    ctx.Problem(
        n, (what.empty() ? std::string() : what + ": ") + "'" + key + "' must be a scalar, not " + NodeTypeName(n));
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool GetStringMap(const YAML::Node& map, const char* key, const DocContext& ctx,
                  std::vector<std::pair<std::string, YAML::Node>>* out) {
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return true;
  if (!n.IsMap()) {
    ctx.Problem(n, std::string("'") + key + "' must be a mapping, not " + NodeTypeName(n));
    return false;
  }
  bool ok = true;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || !(kv.second.IsScalar() || kv.second.IsNull())) {
      ctx.Problem(kv.first, std::string("'") + key + "' entries must be text keys and text values");
      ok = false;
      continue;
    }
    out->emplace_back(kv.first.Scalar(), kv.second);
  }
  return ok;
}

bool GetStringList(const YAML::Node& map, const char* key, const DocContext& ctx,
                   std::vector<std::pair<std::string, YAML::Node>>* out) {
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return true;
  if (!n.IsSequence()) {
    ctx.Problem(n, std::string("'") + key + "' must be a list, not " + NodeTypeName(n));
    return false;
  }
  bool ok = true;
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      ctx.Problem(item, std::string("'") + key + "' entries must be text, not " + NodeTypeName(item));
      ok = false;
      continue;
    }
    out->emplace_back(item.Scalar(), item);
  }
  return ok;
}

bool ApplyDatasetFact(const std::string& fact, const std::string& raw, const YAML::Node& at, const DocContext& ctx,
                      Entity* e) {
  std::string value = AsciiTrim(raw);
  const std::string where = e->id + ": " + fact;
  if (fact == "uri") {
    if (value.empty()) ctx.Problem(at, where + " is empty");
    e->uri = value;
  } else if (fact == "format") {
    auto f = ParseFormat(value);
    if (!f.ok()) {
      ctx.Problem(at, where + ": " + f.status().message());
    } else {
      e->format = FormatName(*f);
    }
  } else if (fact == "schema") {
    if (!value.empty()) {
      auto s = ParseSchemaText(value);
      if (!s.ok()) ctx.Problem(at, where + ": " + s.status().message());
    }
    e->schema = value;
  } else if (fact == "schema-version") {
    char* end = nullptr;
    long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || v < 0 || v > 1000000) {
      ctx.Problem(at, where + ": '" + value + "' is not a schema version (a whole number >= 0)");
    } else {
      e->schema_version = static_cast<int>(v);
    }
  } else if (fact == "tier") {
    auto t = ParseTier(value);
    if (!t.ok()) {
      ctx.Problem(at, where + ": " + t.status().message());
    } else {
      e->tier = *t;
    }
  } else if (fact == "cadence") {
    e->cadence = value;
  } else if (fact == "size") {
    auto b = ParseByteSize(value);
    if (!b.ok()) {
      ctx.Problem(at, where + ": " + b.status().message());
    } else {
      e->size_bytes = *b;
    }
  } else {
    return false;
  }
  return true;
}

std::vector<std::string> SplitSqlStatements(const std::string& sql) {
  std::vector<std::string> out;
  std::string cur;
  bool has_code = false;  // cur holds more than comments and spaces
  auto flush = [&] {
    std::string t = AsciiTrim(cur);
    if (has_code && !t.empty()) out.push_back(t);
    cur.clear();
    has_code = false;
  };
  enum { kCode, kSingle, kDouble, kLineComment, kBlockComment } state = kCode;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    switch (state) {
      case kCode:
        if (c == ';') {
          flush();
          continue;
        }
        if (c == '\'') state = kSingle;
        if (c == '"') state = kDouble;
        if (c == '-' && next == '-') state = kLineComment;
        if (c == '/' && next == '*') {
          state = kBlockComment;
          cur += "/*";
          ++i;
          continue;
        }
        if (state != kLineComment && !std::isspace(static_cast<unsigned char>(c))) has_code = true;
        break;
      case kSingle:
        if (c == '\'') state = kCode;  // '' inside a string re-enters kSingle on the next char
        break;
      case kDouble:
        if (c == '"') state = kCode;
        break;
      case kLineComment:
        if (c == '\n') state = kCode;
        break;
      case kBlockComment:
        if (c == '*' && next == '/') {
          state = kCode;
          cur += "*/";
          ++i;
          continue;
        }
        break;
    }
    cur.push_back(c);
  }
  flush();
  return out;
}

namespace {

// True when `sql` has a ';' outside quotes and comments: it is then a list of statements.
// (Splitting removes the ';'s, so a single part that differs from the text had one.)
bool HasStatementTerminator(const std::string& sql) {
  std::vector<std::string> parts = SplitSqlStatements(sql);
  return parts.size() > 1 || (parts.size() == 1 && parts[0] != AsciiTrim(sql));
}

}  // namespace

std::vector<std::string> ParseQueries(const std::string& value, const YAML::Node& at, const DocContext& ctx) {
  std::string v = AsciiTrim(value);
  bool is_path = v.size() > 4 && v.compare(v.size() - 4, 4, ".sql") == 0 && v.find('\n') == std::string::npos &&
                 v.find(' ') == std::string::npos;
  if (is_path) {
    std::string path = (v.front() == '/' || ctx.dir.empty()) ? v : ctx.dir + "/" + v;
    if (ctx.fs == nullptr) {
      ctx.Problem(at, "queries file '" + path + "' cannot be read here");
      return {};
    }
    auto text = ReadFileToString(ctx.fs, path);
    if (!text.ok()) {
      ctx.Problem(at, "queries file '" + path + "': " + text.status().message());
      return {};
    }
    return SplitSqlStatements(*text);
  }
  if (HasStatementTerminator(v)) return SplitSqlStatements(v);  // statements, ended by ';'
  std::vector<std::string> out;                                 // one statement per line
  size_t start = 0;
  while (start <= v.size()) {
    size_t nl = v.find('\n', start);
    std::string line = AsciiTrim(v.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (!line.empty() && line.back() == ';') line = AsciiTrim(line.substr(0, line.size() - 1));
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace gaggle::catalog_yaml
