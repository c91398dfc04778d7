#include "verify/query_structure.h"

#include <string>
#include <utility>

#include "verify/sql_identifier.h"

namespace gaggle {
namespace {

// Words that separate FROM items or introduce a join.
bool IsJoinWord(std::string_view upper) {
  return upper == "JOIN" || upper == "INNER" || upper == "LEFT" || upper == "RIGHT" || upper == "FULL" ||
         upper == "OUTER" || upper == "CROSS" || upper == "NATURAL" || upper == "SEMI" || upper == "ANTI" ||
         upper == "POSITIONAL" || upper == "ASOF" || upper == "LATERAL";
}

class Scanner {
 public:
  explicit Scanner(QueryStructure* qs) : q_(*qs) {}

  Status Run() {
    for (size_t i = 0; i < q_.tokens.size(); ++i) {
      if (!q_.tokens[i].IsTrivia()) q_.sig.push_back(i);
    }
    n_ = q_.sig.size();
    while (n_ > 0 && Op(n_ - 1, ";")) --n_;
    for (size_t i = 0; i < n_; ++i) {
      if (Op(i, ";")) return Invalid(i, "more than one statement");
    }
    if (n_ == 0) return Status::InvalidArgument("empty query");
    GAGGLE_RETURN_IF_ERROR(MatchParentheses());
    GAGGLE_ASSIGN_OR_RETURN(q_.top, ParseQuery(0, n_, -1));
    return Status::OK();
  }

 private:
  const SqlToken& Sig(size_t i) const { return q_.Sig(i); }
  bool Op(size_t i, std::string_view op) const { return i < n_ && Sig(i).IsOp(op); }
  bool Kw(size_t i, std::string_view upper) const {
    return i < n_ && Sig(i).kind == SqlTokenKind::kIdentifier && EqualsIgnoreCase(Sig(i).text, upper);
  }
  std::string Upper(size_t i) const {
    return i < n_ && Sig(i).kind == SqlTokenKind::kIdentifier ? AsciiUpper(Sig(i).text) : std::string();
  }
  bool IsIdent(size_t i) const { return i < n_ && Sig(i).IsIdentifier(); }
  bool IsSetOp(size_t i) const { return Kw(i, "UNION") || Kw(i, "INTERSECT") || Kw(i, "EXCEPT"); }

  std::string Where(size_t i) const { return i < n_ ? SqlPosition(Sig(i)) : "end of query"; }
  Status Invalid(size_t i, const std::string& what) const { return Status::InvalidArgument(Where(i) + ": " + what); }
  Status Unsupported(size_t i, const std::string& what) const { return Status::Unsupported(Where(i) + ": " + what); }

  Status MatchParentheses() {
    match_.assign(n_, 0);
    std::vector<size_t> open;
    for (size_t i = 0; i < n_; ++i) {
      if (Op(i, "(")) {
        if (open.size() >= static_cast<size_t>(kMaxSqlNesting)) return Invalid(i, "parentheses nested too deeply");
        open.push_back(i);
      } else if (Op(i, ")")) {
        if (open.empty()) return Invalid(i, "unbalanced ')'");
        match_[open.back()] = i;
        match_[i] = open.back();
        open.pop_back();
      }
    }
    if (!open.empty()) return Invalid(open.back(), "unbalanced '('");
    return Status::OK();
  }

  // True when the group opened at `open` holds a query: (SELECT ...), (WITH ...),
  // (VALUES ...) or ((SELECT ...) UNION ...).
  bool IsQueryGroup(size_t open) const {
    const size_t close = match_[open];
    const size_t j = open + 1;
    if (j >= close) return false;
    if (Kw(j, "SELECT") || Kw(j, "WITH") || Kw(j, "VALUES")) return true;
    if (!Op(j, "(") || !IsQueryGroup(j)) return false;
    const size_t after = match_[j] + 1;
    return after == close || IsSetOp(after) || Kw(after, "ORDER") || Kw(after, "LIMIT") || Kw(after, "OFFSET");
  }

  Result<int> ParseQuery(size_t begin, size_t end, int parent) {
    const int qi = static_cast<int>(q_.queries.size());
    q_.queries.emplace_back();
    const size_t frame = visible_ctes_.size();
    size_t pos = begin;
    Status st;
    if (Kw(pos, "WITH")) st = ParseWith(&pos, end, parent);
    if (st.ok()) st = ParseSetOps(pos, end, parent, qi);
    visible_ctes_.resize(frame);
    if (!st.ok()) return st;
    return qi;
  }

  Status ParseWith(size_t* pos, size_t end, int parent) {
    size_t p = *pos + 1;
    const bool recursive = Kw(p, "RECURSIVE");
    if (recursive) ++p;
    for (;;) {
      if (p >= end || !IsIdent(p)) return Invalid(p, "expected a CTE name");
      SqlCte cte;
      cte.name = p++;
      if (Op(p, "(")) {
        GAGGLE_RETURN_IF_ERROR(ParseNameList(p, &cte.column_aliases));
        p = match_[p] + 1;
      }
      if (!Kw(p, "AS")) return Invalid(p, "expected AS after the CTE name");
      ++p;
      if (Kw(p, "NOT")) ++p;
      if (Kw(p, "MATERIALIZED")) ++p;
      if (!Op(p, "(") || match_[p] >= end) return Invalid(p, "expected '(' before the CTE body");
      const int ci = static_cast<int>(q_.ctes.size());
      q_.ctes.push_back(cte);
      // Visible after it, and in its own body only under WITH RECURSIVE: in a plain WITH,
      // `orders AS (SELECT * FROM orders)` (dbt's import CTE) reads the table `orders`.
      if (recursive) visible_ctes_.push_back(ci);
      GAGGLE_ASSIGN_OR_RETURN(int body, ParseQuery(p + 1, match_[p], parent));
      q_.ctes[ci].query = body;
      if (!recursive) visible_ctes_.push_back(ci);
      p = match_[p] + 1;
      if (!Op(p, ",")) break;
      ++p;
    }
    *pos = p;
    return Status::OK();
  }

  Status ParseSetOps(size_t pos, size_t end, int parent, int qi) {
    for (;;) {
      if (pos >= end) return Invalid(pos, "expected SELECT");
      if (Kw(pos, "SELECT") || Kw(pos, "VALUES")) {
        size_t stop = pos;
        while (stop < end && !IsSetOp(stop)) stop = Op(stop, "(") ? match_[stop] + 1 : stop + 1;
        GAGGLE_ASSIGN_OR_RETURN(int b, ParseBlock(pos, stop, parent));
        q_.queries[qi].blocks.push_back(b);
        pos = stop;
      } else if (Op(pos, "(") && IsQueryGroup(pos)) {
        const size_t close = match_[pos];
        GAGGLE_ASSIGN_OR_RETURN(int inner, ParseQuery(pos + 1, close, parent));
        const std::vector<int> inner_blocks = q_.queries[inner].blocks;
        for (int b : inner_blocks) q_.queries[qi].blocks.push_back(b);
        pos = close + 1;
        if (pos < end && !IsSetOp(pos)) {
          // ORDER BY / LIMIT after a parenthesised member apply to the whole query.
          if (!Kw(pos, "ORDER") && !Kw(pos, "LIMIT") && !Kw(pos, "OFFSET") && !Kw(pos, "FETCH")) {
            return Invalid(pos, "unexpected '" + std::string(Sig(pos).text) + "' after a subquery");
          }
          GAGGLE_RETURN_IF_ERROR(ScanRange(q_.queries[qi].blocks.back(), pos, end, SqlClause::kOrderBy));
          pos = end;
        }
      } else if (Kw(pos, "FROM")) {
        return Unsupported(pos, "FROM-first queries");
      } else {
        return Invalid(pos, "expected SELECT, found '" + std::string(Sig(pos).text) + "'");
      }
      if (pos >= end) return Status::OK();
      ++pos;  // the set operator
      if (Kw(pos, "ALL") || Kw(pos, "DISTINCT")) ++pos;
      if (Kw(pos, "BY") && Kw(pos + 1, "NAME")) return Unsupported(pos, "UNION BY NAME");
    }
  }

  Result<int> ParseBlock(size_t begin, size_t end, int parent) {
    const int b = static_cast<int>(q_.blocks.size());
    q_.blocks.emplace_back();
    q_.blocks[b].parent = parent;
    q_.blocks[b].start = begin;
    if (Kw(begin, "VALUES")) {
      q_.blocks[b].values = true;
      GAGGLE_RETURN_IF_ERROR(ScanRange(b, begin + 1, end, SqlClause::kSelect));
      return b;
    }
    size_t pos = begin + 1;
    if (Kw(pos, "DISTINCT")) {
      ++pos;
      if (Kw(pos, "ON") && Op(pos + 1, "(")) {
        GAGGLE_RETURN_IF_ERROR(ScanRange(b, pos + 2, match_[pos + 1], SqlClause::kSelect));
        pos = match_[pos + 1] + 1;
      }
    } else if (Kw(pos, "ALL")) {
      ++pos;
    }
    struct Region {
      SqlClause clause;
      size_t begin, end;
    };
    std::vector<Region> regions;
    SqlClause clause = SqlClause::kSelect;
    size_t start = pos;
    for (size_t i = pos; i < end;) {
      if (Op(i, "(")) {
        i = match_[i] + 1;
        continue;
      }
      const std::string up = Upper(i);
      SqlClause next = clause;
      size_t width = 1;
      if (up == "FROM" && !(Kw(i - 1, "DISTINCT") && (Kw(i - 2, "IS") || Kw(i - 2, "NOT")))) {
        next = SqlClause::kFrom;
      } else if (up == "WHERE") {
        next = SqlClause::kWhere;
      } else if (up == "GROUP" && Kw(i + 1, "BY")) {
        next = SqlClause::kGroupBy, width = 2;
      } else if (up == "HAVING") {
        next = SqlClause::kHaving;
      } else if (up == "WINDOW") {
        next = SqlClause::kWindow;
      } else if (up == "QUALIFY") {
        next = SqlClause::kQualify;
      } else if (up == "ORDER" && Kw(i + 1, "BY")) {
        next = SqlClause::kOrderBy, width = 2;
      } else if (up == "LIMIT" || up == "OFFSET" || up == "FETCH") {
        next = SqlClause::kLimit;
      } else {
        ++i;
        continue;
      }
      regions.push_back({clause, start, i});
      clause = next;
      i += width;
      start = i;
    }
    regions.push_back({clause, start, end});
    for (const Region& r : regions) {
      if (r.clause == SqlClause::kSelect) {
        GAGGLE_RETURN_IF_ERROR(ParseSelectList(b, r.begin, r.end));
      } else if (r.clause == SqlClause::kFrom) {
        GAGGLE_RETURN_IF_ERROR(ParseFrom(b, r.begin, r.end));
      } else {
        GAGGLE_RETURN_IF_ERROR(ScanRange(b, r.begin, r.end, r.clause));
      }
    }
    return b;
  }

  bool EndsOperand(size_t i) const {
    const SqlToken& t = Sig(i);
    if (t.kind == SqlTokenKind::kIdentifier) return !IsReservedSqlKeyword(t.text) || IsValueKeyword(t.text);
    return t.kind == SqlTokenKind::kQuotedIdentifier || t.kind == SqlTokenKind::kString ||
           t.kind == SqlTokenKind::kNumber || t.kind == SqlTokenKind::kParameter || t.IsOp(")");
  }

  Status ParseSelectList(int b, size_t begin, size_t end) {
    size_t ib = begin;
    while (ib <= end) {
      size_t ie = ib;
      while (ie < end && !Op(ie, ",")) ie = Op(ie, "(") ? match_[ie] + 1 : ie + 1;
      if (ie == ib) return Invalid(ib, "empty select item");
      SqlSelectItem item;
      item.begin = ib;
      item.end = ie;
      size_t expr_end = ie;
      if (ie - ib >= 3 && Kw(ie - 2, "AS") && IsIdent(ie - 1)) {
        item.alias = static_cast<long>(ie - 1);
        expr_end = ie - 2;
      } else if (ie - ib >= 2 && IsIdent(ie - 1) &&
                 (Sig(ie - 1).quote != 0 || !IsReservedSqlKeyword(Sig(ie - 1).text)) && EndsOperand(ie - 2) &&
                 !(ie - ib >= 3 && Kw(ie - 3, "INTERVAL"))) {
        item.alias = static_cast<long>(ie - 1);
        expr_end = ie - 1;
      }
      const size_t refs_before = q_.blocks[b].refs.size();
      size_t scan_from = ib;
      if (Op(ib, "*")) {
        q_.blocks[b].refs.push_back({{}, true, SqlClause::kSelect});
        scan_from = ib + 1;
      }
      GAGGLE_RETURN_IF_ERROR(ScanRange(b, scan_from, expr_end, SqlClause::kSelect));
      const auto& refs = q_.blocks[b].refs;
      if (refs.size() > refs_before) {
        const SqlColumnRef& r = refs[refs_before];
        const size_t last = r.parts.empty() ? ib : r.parts.back() + (r.star ? 2 : 0);
        const bool at_start = r.parts.empty() || r.parts.front() == ib;
        if (r.star && at_start) {
          item.ref = static_cast<int>(refs_before);
          item.star_modifiers = last + 1 != expr_end;
        } else if (refs.size() == refs_before + 1 && at_start && last + 1 == expr_end) {
          item.ref = static_cast<int>(refs_before);
        }
      }
      q_.blocks[b].items.push_back(item);
      ib = ie + 1;
      if (ie == end) break;
    }
    return Status::OK();
  }

  // (a, b, c) opened at `open`: the sig indices of the names.
  Status ParseNameList(size_t open, std::vector<size_t>* out) {
    const size_t close = match_[open];
    for (size_t i = open + 1; i < close; i += 2) {
      if (!IsIdent(i)) return Invalid(i, "expected a column name");
      out->push_back(i);
      if (i + 1 < close && !Op(i + 1, ",")) return Invalid(i + 1, "expected ',' between column names");
    }
    return Status::OK();
  }

  // End of an ON condition: the next top-level ',' or join word.
  size_t JoinConditionEnd(size_t pos, size_t end) const {
    while (pos < end) {
      if (Op(pos, "(")) {
        pos = match_[pos] + 1;
        continue;
      }
      if (Op(pos, ",") || (IsJoinWord(Upper(pos)) && !Op(pos + 1, "("))) return pos;
      ++pos;
    }
    return end;
  }

  int FindCte(size_t table) const {
    const SqlToken& t = Sig(table);
    for (size_t k = visible_ctes_.size(); k-- > 0;) {
      const SqlToken& name = Sig(q_.ctes[visible_ctes_[k]].name);
      const bool same = t.quote ? t.name == name.name : EqualsIgnoreCase(t.name, name.name);
      if (same) return visible_ctes_[k];
    }
    return -1;
  }

  Status ParseFrom(int b, size_t begin, size_t end) {
    size_t pos = begin;
    bool natural = false;
    while (pos < end) {
      if (Op(pos, ",")) {
        ++pos;
        natural = false;
        continue;
      }
      if (IsJoinWord(Upper(pos))) {
        natural = natural || Kw(pos, "NATURAL");
        ++pos;
        continue;
      }
      SqlSource src;
      src.natural = natural;
      natural = false;
      if (Op(pos, "(")) {
        if (!IsQueryGroup(pos)) return Unsupported(pos, "parenthesised join in FROM");
        src.kind = SqlSource::Kind::kSubquery;
        GAGGLE_ASSIGN_OR_RETURN(src.query, ParseQuery(pos + 1, match_[pos], b));
        pos = match_[pos] + 1;
      } else if (IsIdent(pos) && !(Sig(pos).kind == SqlTokenKind::kIdentifier && IsReservedSqlKeyword(Sig(pos).text))) {
        src.name.push_back(pos++);
        while (Op(pos, ".") && IsIdent(pos + 1) && pos + 1 < end) {
          src.name.push_back(pos + 1);
          pos += 2;
        }
        if (Op(pos, "(") && match_[pos] < end) {
          src.kind = SqlSource::Kind::kFunction;
          GAGGLE_RETURN_IF_ERROR(ScanRange(b, pos + 1, match_[pos], SqlClause::kFrom));
          pos = match_[pos] + 1;
        } else if (src.name.size() == 1) {
          src.cte = FindCte(src.name[0]);
        }
      } else {
        return Invalid(pos, "expected a table, found '" + std::string(Sig(pos).text) + "'");
      }
      if (Kw(pos, "AS")) {
        if (!IsIdent(pos + 1) || pos + 1 >= end) return Invalid(pos + 1, "expected an alias after AS");
        src.alias = static_cast<long>(pos + 1);
        pos += 2;
      } else if (pos < end && IsIdent(pos) &&
                 (Sig(pos).quote != 0 || (!IsReservedSqlKeyword(Sig(pos).text) && !IsJoinWord(Upper(pos))))) {
        src.alias = static_cast<long>(pos++);
      }
      if (src.alias >= 0 && Op(pos, "(") && match_[pos] < end) {
        GAGGLE_RETURN_IF_ERROR(ParseNameList(pos, &src.column_aliases));
        pos = match_[pos] + 1;
      }
      if (Kw(pos, "ON")) {
        const size_t stop = JoinConditionEnd(pos + 1, end);
        GAGGLE_RETURN_IF_ERROR(ScanRange(b, pos + 1, stop, SqlClause::kJoinOn));
        pos = stop;
      } else if (Kw(pos, "USING") && Op(pos + 1, "(") && match_[pos + 1] < end) {
        GAGGLE_RETURN_IF_ERROR(ParseNameList(pos + 1, &src.using_columns));
        pos = match_[pos + 1] + 1;
      }
      q_.blocks[b].sources.push_back(std::move(src));
      if (pos < end && !Op(pos, ",") && !IsJoinWord(Upper(pos))) {
        return Unsupported(pos, "'" + std::string(Sig(pos).text) + "' in FROM");
      }
    }
    return Status::OK();
  }

  // Skips the type after `::` starting at `i`: words, (args), [].
  size_t SkipType(size_t i, size_t end) const {
    if (i < end && IsIdent(i)) ++i;
    while (i < end && (Kw(i, "PRECISION") || Kw(i, "VARYING") || Kw(i, "WITH") || Kw(i, "WITHOUT") || Kw(i, "TIME") ||
                       Kw(i, "ZONE"))) {
      ++i;
    }
    if (i < end && Op(i, "(")) i = match_[i] + 1;
    while (i < end && Sig(i).quote == '[' && Sig(i).name.empty()) ++i;
    return i;
  }

  // Whether the chain parts[0..] ending before `next` can name a column here.
  bool IsColumnPosition(const std::vector<size_t>& parts, size_t next, size_t end) const {
    const size_t first = parts[0];
    const bool bare_single = parts.size() == 1 && Sig(first).kind == SqlTokenKind::kIdentifier;
    const std::string up = bare_single ? Upper(first) : std::string();
    const std::string prev = first > 0 ? Upper(first - 1) : std::string();
    const bool has_next = next < end;
    if (has_next && (Op(next, "(") || Op(next, ":=") || Op(next, "=>") || Op(next, ":"))) return false;
    if (bare_single && IsReservedSqlKeyword(up)) return false;
    if (first > 0 && (Op(first - 1, ".") || Op(first - 1, "::"))) return false;
    if (prev == "AS" || prev == "NULLS" || prev == "COLLATE" || prev == "OVER" || prev == "AT") return false;
    if (first >= 2 && Op(first - 1, "(") && Kw(first - 2, "EXTRACT")) return false;
    if (first >= 2 && (Sig(first - 1).kind == SqlTokenKind::kString || Sig(first - 1).kind == SqlTokenKind::kNumber) &&
        Kw(first - 2, "INTERVAL")) {
      return false;
    }
    if (!bare_single) return true;
    if (has_next && Sig(next).kind == SqlTokenKind::kString) return false;  // typed literal: DATE '...'
    if (up == "UNBOUNDED" || up == "PRECEDING" || up == "FOLLOWING" || up == "OVER") return false;
    if (up == "PARTITION" && Kw(next, "BY")) return false;
    if (up == "CURRENT" && Kw(next, "ROW")) return false;
    if (up == "ROW" && prev == "CURRENT") return false;
    if ((up == "ROWS" || up == "RANGE" || up == "GROUPS") &&
        (Kw(next, "BETWEEN") || Kw(next, "UNBOUNDED") || Kw(next, "CURRENT"))) {
      return false;
    }
    if (up == "AT" && Kw(next, "TIME")) return false;
    if ((up == "TIME" || up == "ZONE") && (prev == "AT" || prev == "TIME")) return false;
    return true;
  }

  // Records the column chains of the expression tokens [begin, end) in block b,
  // and parses the subqueries among them as blocks nested in b.
  Status ScanRange(int b, size_t begin, size_t end, SqlClause clause) {
    for (size_t i = begin; i < end;) {
      if (Op(i, "(")) {
        const size_t close = match_[i];
        if (IsQueryGroup(i)) {
          GAGGLE_RETURN_IF_ERROR(ParseQuery(i + 1, close, b).status());
        } else {
          size_t inner_end = close;
          if (i > 0 && (Kw(i - 1, "CAST") || Kw(i - 1, "TRY_CAST"))) {
            for (size_t k = i + 1; k < close; k = Op(k, "(") ? match_[k] + 1 : k + 1) {
              if (Kw(k, "AS")) inner_end = k;  // the type after AS names no column
            }
          }
          GAGGLE_RETURN_IF_ERROR(ScanRange(b, i + 1, inner_end, clause));
        }
        i = close + 1;
        continue;
      }
      if (Op(i, "::")) {
        i = SkipType(i + 1, end);
        continue;
      }
      if (!IsIdent(i)) {
        ++i;
        continue;
      }
      std::vector<size_t> parts{i};
      size_t j = i;
      bool star = false;
      while (j + 2 < end && Op(j + 1, ".")) {
        if (IsIdent(j + 2)) {
          parts.push_back(j + 2);
          j += 2;
        } else {
          star = Op(j + 2, "*");
          if (star) j += 2;
          break;
        }
      }
      if (star) {
        q_.blocks[b].refs.push_back({parts, true, clause});
      } else if (IsColumnPosition(parts, j + 1, end)) {
        q_.blocks[b].refs.push_back({parts, false, clause});
      }
      i = j + 1;
    }
    return Status::OK();
  }

  QueryStructure& q_;
  size_t n_ = 0;
  std::vector<size_t> match_;
  std::vector<int> visible_ctes_;
};

}  // namespace

Result<QueryStructure> ScanQueryStructure(std::string_view sql) {
  QueryStructure qs;
  GAGGLE_ASSIGN_OR_RETURN(qs.tokens, TokenizeSql(sql));
  GAGGLE_RETURN_IF_ERROR(Scanner(&qs).Run());
  return qs;
}

}  // namespace gaggle
