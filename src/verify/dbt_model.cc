#include "verify/dbt_model.h"

#include <algorithm>
#include <map>

namespace gaggle {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses "name(" 'a' , "b" ")" out of an expression's inside; false when it is not that.
bool ParseCall(std::string_view inside, std::string* name, std::vector<std::string>* args) {
  size_t i = 0;
  auto skip = [&] {
    while (i < inside.size() && IsSpace(inside[i])) ++i;
  };
  skip();
  const size_t start = i;
  while (i < inside.size() && (std::isalnum(static_cast<unsigned char>(inside[i])) || inside[i] == '_')) ++i;
  *name = std::string(inside.substr(start, i - start));
  skip();
  if (name->empty() || i >= inside.size() || inside[i] != '(') return false;
  ++i;
  skip();
  if (i < inside.size() && inside[i] == ')') {
    ++i;
  } else {
    for (;;) {
      skip();
      if (i >= inside.size() || (inside[i] != '\'' && inside[i] != '"')) return false;
      const char q = inside[i++];
      const size_t close = inside.find(q, i);
      if (close == std::string_view::npos) return false;
      args->emplace_back(inside.substr(i, close - i));
      i = close + 1;
      skip();
      if (i < inside.size() && inside[i] == ',') {
        ++i;
        continue;
      }
      if (i < inside.size() && inside[i] == ')') {
        ++i;
        break;
      }
      return false;
    }
  }
  skip();
  return i == inside.size();
}

void Classify(DbtJinja* j) {
  const char open = j->text[1];
  if (open == '#') {
    j->kind = DbtJinja::Kind::kComment;
    return;
  }
  if (open == '%') return;  // statements: other
  std::string_view inside = j->text.substr(2, j->text.size() - 4);
  if (!inside.empty() && inside.front() == '-') inside.remove_prefix(1);  // whitespace control: {{- ... -}}
  if (!inside.empty() && inside.back() == '-') inside.remove_suffix(1);
  std::string name;
  std::vector<std::string> args;
  if (inside.find("config") != std::string_view::npos) {
    std::string_view t = inside;
    while (!t.empty() && IsSpace(t.front())) t.remove_prefix(1);
    if (t.rfind("config", 0) == 0 && t.size() > 6 && (t[6] == '(' || IsSpace(t[6]))) {
      j->kind = DbtJinja::Kind::kConfig;
      return;
    }
  }
  if (!ParseCall(inside, &name, &args)) return;
  if (name == "ref" && (args.size() == 1 || args.size() == 2)) {
    j->kind = DbtJinja::Kind::kRef;
    j->args = std::move(args);
  } else if (name == "source" && args.size() == 2) {
    j->kind = DbtJinja::Kind::kSource;
    j->args = std::move(args);
  }
}

// Newlines of `text`, as text: what a block rendered to nothing leaves.
std::string NewlinesOf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\n';
  }
  return out;
}

void ReplaceAll(std::string* s, const std::string& from, std::string_view to) {
  if (from.empty()) return;
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

}  // namespace

Result<std::vector<DbtJinja>> ScanDbtJinja(std::string_view sql) {
  std::vector<DbtJinja> out;
  int line = 1, column = 1;
  size_t i = 0;
  auto advance_to = [&](size_t to) {
    for (; i < to; ++i) {
      if (sql[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  };
  while (i + 1 < sql.size()) {
    const char open = sql[i + 1];
    if (sql[i] != '{' || (open != '{' && open != '%' && open != '#')) {
      advance_to(i + 1);
      continue;
    }
    const char close[3] = {open == '{' ? '}' : open, '}', '\0'};
    const size_t stop = sql.find(close, i + 2);
    if (stop == std::string_view::npos) {
      return Status::InvalidArgument("unterminated Jinja block '{" + std::string(1, open) + "' at line " +
                                     std::to_string(line) + " col " + std::to_string(column));
    }
    DbtJinja j;
    j.begin = i;
    j.end = stop + 2;
    j.line = line;
    j.column = column;
    j.text = sql.substr(j.begin, j.end - j.begin);
    Classify(&j);
    out.push_back(std::move(j));
    advance_to(stop + 2);
  }
  return out;
}

Result<std::vector<std::string>> DbtRefs(std::string_view sql) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<DbtJinja> blocks, ScanDbtJinja(sql));
  std::vector<std::string> out;
  for (const DbtJinja& j : blocks) {
    if (j.kind != DbtJinja::Kind::kRef) continue;
    if (std::find(out.begin(), out.end(), j.args.back()) == out.end()) out.push_back(j.args.back());
  }
  return out;
}

Result<std::string> RenderDbtModel(std::string_view sql,
                                   const std::function<Result<std::string>(const DbtJinja&)>& relation) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<DbtJinja> blocks, ScanDbtJinja(sql));
  std::string out;
  size_t copied = 0;
  for (const DbtJinja& j : blocks) {
    out.append(sql.substr(copied, j.begin - copied));
    copied = j.end;
    switch (j.kind) {
      case DbtJinja::Kind::kRef:
      case DbtJinja::Kind::kSource: {
        auto r = relation(j);
        if (!r.ok())
          return r.status().WithContext("line " + std::to_string(j.line) + " col " + std::to_string(j.column));
        out += *r;
        break;
      }
      case DbtJinja::Kind::kConfig:
      case DbtJinja::Kind::kComment: out += NewlinesOf(j.text); break;
      case DbtJinja::Kind::kOther:
        return Status::Unsupported("line " + std::to_string(j.line) + " col " + std::to_string(j.column) + ": " +
                                   std::string(j.text.substr(0, 80)) +
                                   " is not rendered without dbt (only ref, source, config and comments are)");
    }
  }
  out.append(sql.substr(copied));
  return out;
}

Result<SqlFileRewrite> RewriteDbtModel(std::string_view sql, const RewriteRules& rules,
                                       const std::function<std::string(const DbtJinja&)>& key_of) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<DbtJinja> blocks, ScanDbtJinja(sql));
  // A placeholder prefix the file does not contain, so restoring the blocks is exact.
  std::string prefix = "gaggle_jinja_";
  while (sql.find(prefix) != std::string_view::npos) prefix += "x_";
  RewriteRules masked_rules;
  masked_rules.preserve_output_names = rules.preserve_output_names;
  std::string masked;
  std::vector<std::pair<std::string, std::string_view>> restore;  // placeholder -> block
  size_t copied = 0;
  for (size_t k = 0; k < blocks.size(); ++k) {
    const DbtJinja& j = blocks[k];
    masked.append(sql.substr(copied, j.begin - copied));
    copied = j.end;
    const std::string name = prefix + std::to_string(k);
    std::string stand_in = name;
    if (j.kind == DbtJinja::Kind::kRef || j.kind == DbtJinja::Kind::kSource) {
      const std::string key = key_of(j);
      if (auto m = rules.migrated.find(key); m != rules.migrated.end()) {
        TableChange c = m->second;
        c.new_table = name;  // the Jinja stays: only columns change
        masked_rules.migrated[name] = std::move(c);
      } else if (auto o = rules.other_tables.find(key); o != rules.other_tables.end()) {
        masked_rules.other_tables[name] = o->second;
      }
    } else if (j.kind != DbtJinja::Kind::kOther || j.text[1] == '%') {
      stand_in = "/*" + name + NewlinesOf(j.text) + "*/";
    }
    masked += stand_in;
    restore.emplace_back(stand_in, j.text);
  }
  masked.append(sql.substr(copied));
  GAGGLE_ASSIGN_OR_RETURN(SqlFileRewrite out, RewriteSqlFile(masked, masked_rules));
  // Longest placeholders first, so "..._1" never eats the start of "..._12".
  std::sort(restore.begin(), restore.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [stand_in, text] : restore) {
    ReplaceAll(&out.text, stand_in, text);
    for (SqlFileStatement& s : out.statements) {
      ReplaceAll(&s.original, stand_in, text);
      ReplaceAll(&s.rewritten, stand_in, text);
      for (std::string& e : s.edits) ReplaceAll(&e, stand_in, text);
      ReplaceAll(&s.refused, stand_in, text);
    }
  }
  return out;
}

}  // namespace gaggle
