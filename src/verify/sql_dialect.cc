#include "verify/sql_dialect.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "verify/sql_lexer.h"

namespace gaggle {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A date part as DuckDB spells it, from Snowflake's and BigQuery's spellings; "" if unknown.
std::string DatePart(std::string unit) {
  unit = Lower(unit);
  static const std::map<std::string, std::string> kParts = {{"year", "year"},        {"years", "year"},
                                                            {"y", "year"},           {"yy", "year"},
                                                            {"yyyy", "year"},        {"quarter", "quarter"},
                                                            {"quarters", "quarter"}, {"q", "quarter"},
                                                            {"qtr", "quarter"},      {"month", "month"},
                                                            {"months", "month"},     {"mm", "month"},
                                                            {"mon", "month"},        {"week", "week"},
                                                            {"weeks", "week"},       {"w", "week"},
                                                            {"wk", "week"},          {"day", "day"},
                                                            {"days", "day"},         {"d", "day"},
                                                            {"dd", "day"},           {"hour", "hour"},
                                                            {"hours", "hour"},       {"h", "hour"},
                                                            {"hh", "hour"},          {"minute", "minute"},
                                                            {"minutes", "minute"},   {"mi", "minute"},
                                                            {"min", "minute"},       {"second", "second"},
                                                            {"seconds", "second"},   {"s", "second"},
                                                            {"sec", "second"},       {"millisecond", "millisecond"},
                                                            {"ms", "millisecond"},   {"microsecond", "microsecond"},
                                                            {"us", "microsecond"}};
  auto it = kParts.find(unit);
  return it == kParts.end() ? "" : it->second;
}

class Translator {
 public:
  Translator(const std::vector<SqlToken>& tokens, SqlDialect dialect) : t_(tokens), d_(dialect) {}

  Result<std::string> Run() {
    std::vector<size_t> stack;
    match_.assign(t_.size(), SIZE_MAX);
    for (size_t i = 0; i < t_.size(); ++i) {
      if (t_[i].IsOp("(")) stack.push_back(i);
      if (t_[i].IsOp(")")) {
        if (stack.empty()) return Status::InvalidArgument(SqlPosition(t_[i]) + ": unbalanced ')'");
        match_[stack.back()] = i;
        stack.pop_back();
      }
    }
    if (!stack.empty()) return Status::InvalidArgument(SqlPosition(t_[stack.back()]) + ": unbalanced '('");
    return Range(0, t_.size(), 0);
  }

 private:
  size_t NextSig(size_t i, size_t end) const {
    while (i < end && t_[i].IsTrivia()) ++i;
    return i;
  }
  Status Unsupported(size_t i, const std::string& what) const {
    return Status::Unsupported(SqlPosition(t_[i]) + ": " + what + " (" + SqlDialectName(d_) +
                               ") has no DuckDB translation for verification");
  }

  // The arguments of the call whose '(' is at `open`: each translated and trimmed.
  Result<std::vector<std::string>> Args(size_t open, int depth) {
    std::vector<std::string> args;
    const size_t close = match_[open];
    size_t start = open + 1;
    for (size_t i = open + 1; i <= close; ++i) {
      if (t_[i].IsOp("(")) {
        i = match_[i];
        continue;
      }
      if (i == close || t_[i].IsOp(",")) {
        size_t b = NextSig(start, i), e = i;
        while (e > b && t_[e - 1].IsTrivia()) --e;
        GAGGLE_ASSIGN_OR_RETURN(std::string a, Range(b, e, depth + 1));
        if (!(args.empty() && i == close && a.empty())) args.push_back(std::move(a));
        start = i + 1;
      }
    }
    return args;
  }

  Result<std::string> Unit(size_t at, const std::string& arg) const {
    std::string u = arg;
    if (u.size() >= 2 && (u.front() == '\'' || u.front() == '"')) u = u.substr(1, u.size() - 2);
    std::string part = DatePart(u);
    if (part.empty()) return Unsupported(at, "the date part '" + arg + "'");
    return part;
  }

  // A call the dialect spells differently: the DuckDB text, or "" when the call is DuckDB's.
  Result<std::string> Call(const std::string& fn, size_t at, size_t open, int depth) {
    auto args = [&](size_t n) -> Result<std::vector<std::string>> {
      GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> a, Args(open, depth));
      if (a.size() != n) {
        return Status::InvalidArgument(SqlPosition(t_[at]) + ": " + fn + " takes " + std::to_string(n) +
                                       " arguments in " + SqlDialectName(d_) + ", not " + std::to_string(a.size()));
      }
      return a;
    };
    if (d_ == SqlDialect::kSnowflake) {
      if (fn == "flatten") return Unsupported(at, "FLATTEN");
      if (fn == "dateadd" || fn == "timestampadd") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(3));
        GAGGLE_ASSIGN_OR_RETURN(std::string part, Unit(at, a[0]));
        return "(" + a[2] + " + INTERVAL (" + a[1] + ") " + part + ")";
      }
      if (fn == "datediff" || fn == "timestampdiff") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(3));
        GAGGLE_ASSIGN_OR_RETURN(std::string part, Unit(at, a[0]));
        return "date_diff('" + part + "', " + a[1] + ", " + a[2] + ")";
      }
      if (fn == "iff") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(3));
        return "(CASE WHEN " + a[0] + " THEN " + a[1] + " ELSE " + a[2] + " END)";
      }
    } else if (d_ == SqlDialect::kBigQuery) {
      if (fn == "date_trunc" || fn == "timestamp_trunc" || fn == "datetime_trunc") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(2));
        GAGGLE_ASSIGN_OR_RETURN(std::string part, Unit(at, a[1]));
        return "date_trunc('" + part + "', " + a[0] + ")";
      }
      for (const char* kind : {"date", "timestamp", "datetime"}) {
        const std::string k = kind;
        if (fn == k + "_add" || fn == k + "_sub") {
          GAGGLE_ASSIGN_OR_RETURN(auto a, args(2));
          return "(" + a[0] + (fn == k + "_add" ? " + " : " - ") + a[1] + ")";
        }
        if (fn == k + "_diff") {
          GAGGLE_ASSIGN_OR_RETURN(auto a, args(3));
          GAGGLE_ASSIGN_OR_RETURN(std::string part, Unit(at, a[2]));
          return "date_diff('" + part + "', " + a[1] + ", " + a[0] + ")";
        }
      }
      if (fn == "safe_divide") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(2));
        return "(CASE WHEN (" + a[1] + ") = 0 THEN NULL ELSE (" + a[0] + ") / (" + a[1] + ") END)";
      }
    } else if (d_ == SqlDialect::kSpark) {
      if (fn == "date_add" || fn == "date_sub") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(2));
        return "(" + a[0] + (fn == "date_add" ? " + " : " - ") + "INTERVAL (" + a[1] + ") day)";
      }
      if (fn == "datediff") {
        GAGGLE_ASSIGN_OR_RETURN(auto a, args(2));
        return "date_diff('day', " + a[1] + ", " + a[0] + ")";
      }
    }
    return std::string();
  }

  Result<std::string> Range(size_t b, size_t e, int depth) {
    if (depth > 200) return Status::InvalidArgument("the query nests calls too deeply to translate");
    std::string out;
    for (size_t i = b; i < e; ++i) {
      const SqlToken& tok = t_[i];
      if (tok.kind == SqlTokenKind::kQuotedIdentifier && tok.quote == '`') {
        std::string q = "\"";
        for (char c : tok.name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        out += q + "\"";
        continue;
      }
      if (d_ == SqlDialect::kSnowflake && tok.kind == SqlTokenKind::kParameter && tok.text.size() > 1 &&
          tok.text[0] == ':' && i > b && !t_[i - 1].IsTrivia()) {
        return Unsupported(i, "the path '" + std::string(tok.text) + "' into a VARIANT");
      }
      if (tok.kind == SqlTokenKind::kIdentifier) {
        const std::string name = Lower(tok.name);
        const size_t next = NextSig(i + 1, e);
        if (d_ == SqlDialect::kBigQuery && name == "safe" && next < e && t_[next].IsOp(".")) {
          return Unsupported(i, "a SAFE. function");
        }
        if (d_ == SqlDialect::kBigQuery && name == "system_time") return Unsupported(i, "FOR SYSTEM_TIME AS OF");
        const bool qualified = i > b && t_[NextSigBack(i, b)].IsOp(".");
        if (!qualified && next < e && t_[next].IsOp("(") && match_[next] < e) {
          GAGGLE_ASSIGN_OR_RETURN(std::string call, Call(name, i, next, depth));
          if (!call.empty()) {
            out += call;
            i = match_[next];
            continue;
          }
        }
      }
      out += tok.text;
    }
    return out;
  }

  size_t NextSigBack(size_t i, size_t b) const {
    size_t k = i;
    while (k > b) {
      --k;
      if (!t_[k].IsTrivia()) return k;
    }
    return i;
  }

  const std::vector<SqlToken>& t_;
  SqlDialect d_;
  std::vector<size_t> match_;
};

}  // namespace

Result<SqlDialect> ParseSqlDialect(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "duckdb") return SqlDialect::kDuckDb;
  if (n == "postgres" || n == "postgresql") return SqlDialect::kPostgres;
  if (n == "snowflake") return SqlDialect::kSnowflake;
  if (n == "bigquery") return SqlDialect::kBigQuery;
  if (n == "spark" || n == "sparksql" || n == "databricks") return SqlDialect::kSpark;
  return Status::InvalidArgument("unknown SQL dialect '" + std::string(name) +
                                 "' (known: duckdb, postgres, snowflake, bigquery, spark)");
}

const char* SqlDialectName(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kDuckDb: return "duckdb";
    case SqlDialect::kPostgres: return "postgres";
    case SqlDialect::kSnowflake: return "snowflake";
    case SqlDialect::kBigQuery: return "bigquery";
    case SqlDialect::kSpark: return "spark";
  }
  return "unknown";
}

Result<std::string> ToDuckDbDialect(std::string_view sql, SqlDialect dialect) {
  if (dialect == SqlDialect::kDuckDb || dialect == SqlDialect::kPostgres) return std::string(sql);
  GAGGLE_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, TokenizeSql(sql));
  return Translator(tokens, dialect).Run();
}

}  // namespace gaggle
