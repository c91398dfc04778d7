#include "verify/query_rewriter.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "verify/output_contract.h"
#include "verify/query_structure.h"
#include "verify/sql_identifier.h"

namespace gaggle {
namespace {

std::string JoinNames(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ".";
    out += RenderSqlName(p);
  }
  return out;
}

// A written name (bare: any case; quoted: exactly) against a schema name.
bool NameMatches(const SqlToken& written, std::string_view name) {
  if (name.empty()) return false;
  return written.quote != 0 ? written.name == name : EqualsIgnoreCase(written.name, name);
}

struct SourceColumn {
  std::string old_name;
  std::string new_name;
  bool dropped = false;
  bool Changes() const { return dropped || new_name != old_name; }
};

struct SourceInfo {
  bool known = true;  // false: columns unknown (table function, VALUES, star over such)
  std::vector<SourceColumn> columns;
  const std::string* dataset = nullptr;  // the dataset id when the source reads one
  const TableChange* change = nullptr;   // when that dataset is migrated
  std::string label;                     // for messages
  std::string qualifier;                 // how the rewritten query names it ("" when it cannot)
};

struct Outputs {
  bool known = true;
  std::vector<SourceColumn> columns;
};

std::string Describe(const SourceColumn& c) {
  if (c.dropped) return "dropped";
  if (c.new_name != c.old_name) return "renamed to " + c.new_name;
  return "unchanged";
}

class Rewriter {
 public:
  Rewriter(const QueryStructure& qs, const RewriteRules& rules) : qs_(qs), rules_(rules) {
    for (const auto& [id, change] : rules_.migrated) ids_.push_back({&id, SplitDatasetId(id)});
    for (const auto& [id, cols] : rules_.other_tables) ids_.push_back({&id, SplitDatasetId(id)});
    info_.resize(qs_.blocks.size());
    sources_state_.assign(qs_.blocks.size(), 0);
    outputs_.resize(qs_.queries.size());
    outputs_state_.assign(qs_.queries.size(), 0);
    ref_done_.resize(qs_.blocks.size());
    for (size_t b = 0; b < qs_.blocks.size(); ++b) ref_done_[b].assign(qs_.blocks[b].refs.size(), false);
  }

  Result<RewrittenQuery> Run() {
    for (size_t b = 0; b < qs_.blocks.size(); ++b) GAGGLE_RETURN_IF_ERROR(ResolveSources(static_cast<int>(b)));
    for (size_t b = 0; b < qs_.blocks.size(); ++b) {
      const int bi = static_cast<int>(b);
      for (size_t s = 0; s < qs_.blocks[b].sources.size(); ++s) GAGGLE_RETURN_IF_ERROR(CheckJoin(bi, s));
      for (size_t r = 0; r < qs_.blocks[b].refs.size(); ++r) GAGGLE_RETURN_IF_ERROR(ResolveRef(bi, r));
    }
    if (tables_.empty()) {
      return Status::SchemaMismatch(SqlPosition(qs_.Sig(0)) + ": the query reads no known dataset");
    }
    return Finish();
  }

 private:
  struct Edit {
    size_t end;  // token index past the replaced span
    std::string text;
    std::string what;  // "table", "qualifier" or ""
  };

  const SqlToken& Sig(size_t i) const { return qs_.Sig(i); }
  const SqlSource& Src(int b, size_t s) const { return qs_.blocks[b].sources[s]; }

  Status Refuse(size_t sig_index, const std::string& what) const {
    return Status::SchemaMismatch(SqlPosition(Sig(sig_index)) + ": " + what);
  }

  // The dataset a FROM chain names, nullptr when none.
  Result<const std::string*> FindDataset(const std::vector<size_t>& parts) const {
    const std::string* found = nullptr;
    for (const auto& [id, split] : ids_) {
      bool same = false;
      // DuckDB's and PostgreSQL's default schemas may prefix any id.
      const size_t skip =
          parts.size() == split.size() + 1 && Sig(parts[0]).quote == 0 &&
                  (EqualsIgnoreCase(Sig(parts[0]).name, "main") || EqualsIgnoreCase(Sig(parts[0]).name, "public"))
              ? 1
              : 0;
      if (parts.size() == split.size() + skip) {
        same = true;
        for (size_t i = 0; i < split.size() && same; ++i) same = NameMatches(Sig(parts[i + skip]), split[i]);
      } else if (parts.size() == 1 && Sig(parts[0]).quote != 0) {
        same = Sig(parts[0]).name == *id;
      }
      if (!same) continue;
      if (found != nullptr) {
        return Refuse(parts[0], "table " + SpanText(parts) + " matches both dataset " + *found + " and " + *id);
      }
      found = id;
    }
    return found;
  }

  // The source text of the sig tokens parts.front() .. parts.back().
  std::string SpanText(const std::vector<size_t>& parts) const {
    std::string out;
    for (size_t t = qs_.sig[parts.front()]; t <= qs_.sig[parts.back()]; ++t) out += qs_.tokens[t].text;
    return out;
  }

  std::string RenderTable(const SqlSource& src, const std::string& new_table) const {
    const SqlToken& first = Sig(src.name[0]);
    if (src.name.size() == 1 && first.quote != 0 && first.name.find('.') != std::string::npos) {
      return QuoteSqlName(new_table, first.quote);  // written as one quoted name: keep it one
    }
    return JoinNames(SplitDatasetId(new_table));
  }

  Status ResolveSources(int b) {
    if (sources_state_[b] == 2) return Status::OK();
    if (sources_state_[b] == 1) return Status::OK();  // lateral use from a derived table: skipped by callers
    sources_state_[b] = 1;
    std::vector<SourceInfo> infos;
    for (const SqlSource& src : qs_.blocks[b].sources) {
      SourceInfo info;
      const std::string alias = src.alias >= 0 ? std::string(Sig(src.alias).text) : std::string();
      if (src.kind == SqlSource::Kind::kSubquery) {
        GAGGLE_ASSIGN_OR_RETURN(Outputs out,
                                QueryOutputs(src.query, qs_.blocks[qs_.queries[src.query].blocks[0]].start));
        info.known = out.known;
        info.columns = std::move(out.columns);
        info.label = alias.empty() ? "subquery" : "subquery " + alias;
        info.qualifier = alias;
      } else if (src.kind == SqlSource::Kind::kFunction) {
        info.known = false;
        info.label = "table function " + SpanText(src.name);
        info.qualifier = alias.empty() ? std::string(Sig(src.name.back()).text) : alias;
      } else if (src.cte >= 0) {
        const SqlCte& cte = qs_.ctes[src.cte];
        GAGGLE_ASSIGN_OR_RETURN(Outputs out, QueryOutputs(cte.query, src.name[0]));
        info.known = out.known;
        info.columns = std::move(out.columns);
        if (!cte.column_aliases.empty()) {
          info.known = true;
          info.columns.clear();
          for (size_t a : cte.column_aliases) info.columns.push_back({Sig(a).name, Sig(a).name, false});
        }
        info.label = "CTE " + Sig(cte.name).name;
        info.qualifier = alias.empty() ? std::string(Sig(src.name[0]).text) : alias;
      } else {
        GAGGLE_ASSIGN_OR_RETURN(const std::string* id, FindDataset(src.name));
        if (id == nullptr) {
          return Refuse(src.name[0],
                        "table " + SpanText(src.name) + " is neither a migrated dataset, a known dataset nor a CTE");
        }
        info.dataset = id;
        info.label = *id;
        tables_.insert(*id);
        needed_[*id];
        auto m = rules_.migrated.find(*id);
        if (m != rules_.migrated.end()) {
          info.change = &m->second;
          for (const std::string& c : m->second.columns) {
            auto r = m->second.renamed.find(c);
            info.columns.push_back({c, r == m->second.renamed.end() ? c : r->second, m->second.dropped.count(c) > 0});
          }
          info.qualifier = !alias.empty()        ? alias
                           : m->second.keep_name ? SpanText(src.name)
                                                 : RenderTable(src, m->second.new_table);
        } else {
          for (const std::string& c : rules_.other_tables.at(*id)) info.columns.push_back({c, c, false});
          info.qualifier = alias.empty() ? SpanText(src.name) : alias;
        }
        if (!src.column_aliases.empty()) {
          if (info.change != nullptr) {
            return Status::Unsupported(SqlPosition(Sig(src.column_aliases[0])) +
                                       ": column aliases on migrated dataset " + *id);
          }
          for (const SourceColumn& c : info.columns) needed_[*id].insert(c.old_name);
        }
      }
      if (!src.column_aliases.empty() && src.cte < 0) {
        info.known = true;
        info.columns.clear();
        for (size_t a : src.column_aliases) info.columns.push_back({Sig(a).name, Sig(a).name, false});
      }
      infos.push_back(std::move(info));
    }
    info_[b] = std::move(infos);
    sources_state_[b] = 2;
    return Status::OK();
  }

  // Output columns of query q (its first block's select list).
  Result<Outputs> QueryOutputs(int q, size_t where) {
    if (outputs_state_[q] == 2) return *outputs_[q];
    if (outputs_state_[q] == 1) return Status::Unsupported(SqlPosition(Sig(where)) + ": recursive reference");
    outputs_state_[q] = 1;
    const int b = qs_.queries[q].blocks[0];
    const SqlQueryBlock& block = qs_.blocks[b];
    Outputs out;
    if (block.values) {
      out.known = false;
    } else {
      GAGGLE_RETURN_IF_ERROR(ResolveSources(b));
      if (sources_state_[b] != 2) return Status::Unsupported(SqlPosition(Sig(where)) + ": recursive reference");
      for (const SqlSelectItem& item : block.items) {
        const SqlColumnRef* ref = item.ref >= 0 ? &block.refs[item.ref] : nullptr;
        if (ref != nullptr && ref->star) {
          if (item.star_modifiers) out.known = false;
          std::vector<size_t> stars;
          if (ref->parts.empty()) {
            for (size_t s = 0; s < block.sources.size(); ++s) stars.push_back(s);
          } else {
            auto [level, found] = FindQualified(b, ref->parts);
            if (level == b) stars = found;
          }
          for (size_t s : stars) {
            const SourceInfo& info = info_[b][s];
            if (!info.known) out.known = false;
            out.columns.insert(out.columns.end(), info.columns.begin(), info.columns.end());
          }
        } else if (item.alias >= 0) {
          const std::string& name = Sig(item.alias).name;
          out.columns.push_back({name, name, false});
        } else if (ref != nullptr) {
          GAGGLE_RETURN_IF_ERROR(ResolveRef(b, item.ref));
          const std::string& name = Sig(ref->parts.back()).name;
          auto it = renamed_to_.find(ref->parts.back());
          out.columns.push_back({name, it == renamed_to_.end() ? name : it->second, false});
        } else {
          out.columns.push_back({"", "", false});  // an expression without alias: no usable name
        }
      }
    }
    outputs_[q] = out;
    outputs_state_[q] = 2;
    return out;
  }

  bool QualifierMatches(int b, size_t s, const std::vector<size_t>& q) const {
    const SqlSource& src = Src(b, s);
    if (src.alias >= 0) return q.size() == 1 && NameMatches(Sig(q[0]), Sig(src.alias).name);
    if (src.kind == SqlSource::Kind::kSubquery || q.size() > src.name.size()) return false;
    const size_t off = src.name.size() - q.size();
    for (size_t i = 0; i < q.size(); ++i) {
      if (!NameMatches(Sig(q[i]), Sig(src.name[off + i]).name)) return false;
    }
    return true;
  }

  // The innermost level (from b outwards) with sources named by qualifier q. An
  // enclosing block's sources are always resolved (or being resolved) before b's.
  std::pair<int, std::vector<size_t>> FindQualified(int b, const std::vector<size_t>& q) const {
    for (int level = b; level >= 0; level = qs_.blocks[level].parent) {
      if (sources_state_[level] != 2) continue;  // a derived table does not see its siblings
      std::vector<size_t> found;
      for (size_t s = 0; s < qs_.blocks[level].sources.size(); ++s) {
        if (QualifierMatches(level, s, q)) found.push_back(s);
      }
      if (!found.empty()) return {level, found};
    }
    return {-1, {}};
  }

  // Index of the column `written` names in `info`, -1 when none.
  Result<int> FindColumn(const SourceInfo& info, const SqlToken& written, size_t where) const {
    int exact = -1, loose = -1, loose_count = 0;
    for (size_t c = 0; c < info.columns.size(); ++c) {
      const std::string& name = info.columns[c].old_name;
      if (name.empty()) continue;
      if (name == written.name) exact = static_cast<int>(c);
      if (NameMatches(written, name)) {
        loose = static_cast<int>(c);
        ++loose_count;
      }
    }
    if (exact >= 0) return exact;
    if (loose_count > 1) {
      return Refuse(where, "column " + written.name + " matches several columns of " + info.label);
    }
    return loose;
  }

  void MarkNeeded(const SourceInfo& info, const SourceColumn& c) {
    if (info.dataset != nullptr) needed_[*info.dataset].insert(c.old_name);
  }

  void AddEdit(size_t first_sig, size_t last_sig, std::string text, std::string what) {
    edits_[qs_.sig[first_sig]] = Edit{qs_.sig[last_sig] + 1, std::move(text), std::move(what)};
  }

  // The column name as the rewritten query writes it where `written` stood.
  std::string RenderColumn(const SqlToken& written, const SourceColumn& c) const {
    if (c.new_name == c.old_name) return std::string(written.text);
    if (written.quote != 0) return QuoteSqlName(c.new_name, written.quote);
    if (!IsPlainSqlIdentifier(c.new_name) || IsReservedSqlKeyword(c.new_name)) return QuoteSqlName(c.new_name, '"');
    const std::string t(written.text);
    if (t == AsciiUpper(t) && t != AsciiLower(t) && c.old_name != t) return AsciiUpper(c.new_name);
    return c.new_name;
  }

  // Qualifier parts of a migrated, unaliased table as the rewritten query writes them.
  void RewriteQualifier(int level, size_t s, const std::vector<size_t>& q) {
    const SqlSource& src = Src(level, s);
    const SourceInfo& info = info_[level][s];
    if (src.alias >= 0 || info.change == nullptr || info.change->keep_name) return;
    std::vector<std::string> parts = SplitDatasetId(info.change->new_table);
    std::string text;
    if (src.name.size() == 1 && Sig(src.name[0]).quote != 0 && Sig(src.name[0]).name.find('.') != std::string::npos) {
      text = QuoteSqlName(info.change->new_table, Sig(src.name[0]).quote);
    } else {
      if (q.size() < parts.size()) parts.erase(parts.begin(), parts.end() - static_cast<long>(q.size()));
      text = JoinNames(parts);
    }
    if (text != SpanText(q)) AddEdit(q.front(), q.back(), text, "qualifier");
  }

  void MarkStar(int level, size_t s, size_t where, const std::string& star_text) {
    const SourceInfo& info = info_[level][s];
    std::string gone;
    for (const SourceColumn& c : info.columns) {
      MarkNeeded(info, c);
      if (c.dropped) gone += (gone.empty() ? "" : ", ") + c.old_name;
    }
    if (!gone.empty()) {
      notes_.push_back({qs_.sig[where], SqlPosition(Sig(where)) + ": " + star_text + " no longer includes " + gone +
                                            " (dropped from " + info.label + ")"});
    }
  }

  Status ResolveRef(int b, size_t r) {
    if (ref_done_[b][r]) return Status::OK();
    ref_done_[b][r] = true;
    const SqlColumnRef& ref = qs_.blocks[b].refs[r];
    if (ref.star) {
      if (ref.parts.empty()) {
        // The bare `*` has no token index of its own in the ref: find it from the item.
        size_t where = qs_.blocks[b].start;
        for (const SqlSelectItem& item : qs_.blocks[b].items) {
          if (item.ref == static_cast<int>(r)) where = item.begin;
        }
        for (size_t s = 0; s < qs_.blocks[b].sources.size(); ++s) MarkStar(b, s, where, "*");
        return Status::OK();
      }
      auto [level, found] = FindQualified(b, ref.parts);
      if (level < 0) return Status::OK();
      for (size_t s : found) {
        MarkStar(level, s, ref.parts[0], SpanText(ref.parts) + ".*");
        RewriteQualifier(level, s, ref.parts);
      }
      return Status::OK();
    }
    for (size_t k = ref.parts.size() - 1; k >= 1; --k) {
      std::vector<size_t> q(ref.parts.begin(), ref.parts.begin() + static_cast<long>(k));
      auto [level, found] = FindQualified(b, q);
      if (level < 0) continue;
      if (found.size() > 1) return Refuse(q[0], SpanText(q) + " names more than one table");
      const SourceInfo& info = info_[level][found[0]];
      RewriteQualifier(level, found[0], q);
      const size_t col_sig = ref.parts[k];
      if (!info.known) return Status::OK();
      GAGGLE_ASSIGN_OR_RETURN(int c, FindColumn(info, Sig(col_sig), col_sig));
      if (c < 0) return Status::OK();
      const SourceColumn& col = info.columns[c];
      if (col.dropped)
        return Refuse(col_sig, "uses column " + col.old_name + ", which the migration drops from " + info.label);
      MarkNeeded(info, col);
      Emit(col_sig, RenderColumn(Sig(col_sig), col), col);
      return Status::OK();
    }
    return ResolveUnqualified(b, ref.parts[0], ref.clause);
  }

  // Writes `text` for the column reference at sig_index, which names `col`.
  void Emit(size_t sig_index, const std::string& text, const SourceColumn& col) {
    if (col.new_name != col.old_name) renamed_to_[sig_index] = col.new_name;
    if (text != Sig(sig_index).text) AddEdit(sig_index, sig_index, text, "");
  }

  bool IsOutputAlias(int b, std::string_view name) const {
    for (const SqlSelectItem& item : qs_.blocks[b].items) {
      if (item.alias >= 0 && EqualsIgnoreCase(Sig(item.alias).name, name)) return true;
    }
    return false;
  }

  // Whether a source at levels b .. last (inclusive; -1: all), other than `skip`,
  // has `name` in the new schema without having had it in the old one (gained),
  // or at all (any).
  bool NewSchemaHas(int b, int last, std::string_view name, bool gained_only,
                    const std::vector<std::pair<int, size_t>>& skip) const {
    for (int level = b; level >= 0; level = qs_.blocks[level].parent) {
      if (sources_state_[level] == 2) {
        for (size_t s = 0; s < info_[level].size(); ++s) {
          if (std::find(skip.begin(), skip.end(), std::make_pair(level, s)) != skip.end()) continue;
          bool had = false, has = false;
          for (const SourceColumn& c : info_[level][s].columns) {
            had = had || EqualsIgnoreCase(c.old_name, name);
            has = has || (!c.dropped && EqualsIgnoreCase(c.new_name, name));
          }
          if (has && !(gained_only && had)) return true;
        }
      }
      if (level == last) break;
    }
    return false;
  }

  Status ResolveUnqualified(int b, size_t at, SqlClause clause) {
    const SqlToken& tok = Sig(at);
    if (tok.name.empty()) return Status::OK();
    // Output aliases: ORDER BY binds them before columns; SELECT, WHERE and GROUP BY
    // bind columns first (DuckDB, PostgreSQL, SQLite agree); HAVING, QUALIFY and
    // WINDOW differ between engines.
    const bool alias_here = IsOutputAlias(b, tok.name);
    const bool alias_visible = clause == SqlClause::kOrderBy || clause == SqlClause::kHaving ||
                               clause == SqlClause::kQualify || clause == SqlClause::kWindow;
    if (clause == SqlClause::kOrderBy && alias_here) return Status::OK();
    std::vector<std::pair<int, size_t>> matches;
    std::vector<int> columns;
    std::string unknown;  // a source of unknown columns the name might belong to
    int level = b;
    for (; level >= 0; level = qs_.blocks[level].parent) {
      if (sources_state_[level] != 2) continue;  // a derived table does not see its siblings
      for (size_t s = 0; s < info_[level].size(); ++s) {
        const SourceInfo& info = info_[level][s];
        if (!info.known) {
          if (unknown.empty()) unknown = info.label;
          continue;
        }
        GAGGLE_ASSIGN_OR_RETURN(int c, FindColumn(info, tok, at));
        if (c >= 0) {
          matches.push_back({level, s});
          columns.push_back(c);
        }
      }
      if (!matches.empty()) break;
    }
    if (matches.empty()) {
      if (NewSchemaHas(b, -1, tok.name, true, {})) {
        return Refuse(at, tok.name + " would name a renamed column in the new schema; qualify it");
      }
      return Status::OK();
    }
    const SourceColumn& col = info_[matches[0].first][matches[0].second].columns[columns[0]];
    for (size_t i = 1; i < matches.size(); ++i) {
      const SourceInfo& other = info_[matches[i].first][matches[i].second];
      const SourceColumn& oc = other.columns[columns[i]];
      if (oc.dropped != col.dropped || (!col.dropped && oc.new_name != col.new_name)) {
        return Refuse(at, "column " + tok.name + " is ambiguous: " + Describe(col) + " in " +
                              info_[matches[0].first][matches[0].second].label + ", " + Describe(oc) + " in " +
                              other.label);
      }
    }
    const SourceInfo& info = info_[matches[0].first][matches[0].second];
    if (col.Changes() && !unknown.empty()) {
      return Refuse(at, "column " + tok.name + " is ambiguous: " + Describe(col) + " in " + info.label +
                            ", but it may also come from " + unknown);
    }
    if (col.Changes() && alias_here && alias_visible) {
      return Refuse(
          at, "column " + tok.name + " is ambiguous: an output alias, and " + Describe(col) + " in " + info.label);
    }
    if (col.dropped)
      return Refuse(at, "uses column " + col.old_name + ", which the migration drops from " + info.label);
    for (size_t i = 0; i < matches.size(); ++i) {
      MarkNeeded(info_[matches[i].first][matches[i].second],
                 info_[matches[i].first][matches[i].second].columns[columns[i]]);
    }
    std::string text = RenderColumn(tok, col);
    const bool captured = col.new_name != col.old_name ? NewSchemaHas(b, level, col.new_name, false, matches) ||
                                                             (alias_visible && IsOutputAlias(b, col.new_name))
                                                       : NewSchemaHas(b, level, tok.name, true, matches);
    if (captured) {
      if (info.qualifier.empty()) {
        return Refuse(at, "column " + tok.name + " would be captured by another column named " + col.new_name +
                              " and its source cannot be qualified");
      }
      text = info.qualifier + "." + text;
    }
    Emit(at, text, col);
    return Status::OK();
  }

  // NATURAL joins and USING lists of source s in block b.
  Status CheckJoin(int b, size_t s) {
    const SqlSource& src = Src(b, s);
    if (src.natural) {
      for (size_t i = 0; i <= s; ++i) {
        const SourceInfo& info = info_[b][i];
        bool changes = false;
        for (const SourceColumn& c : info.columns) changes = changes || c.Changes();
        if (info.change != nullptr && changes) {
          return Status::Unsupported(SqlPosition(Sig(src.name.empty() ? qs_.blocks[b].start : src.name[0])) +
                                     ": NATURAL JOIN with migrated dataset " + info.label);
        }
      }
    }
    for (size_t u : src.using_columns) {
      const SqlToken& tok = Sig(u);
      std::optional<SourceColumn> first;
      std::string first_label;
      for (size_t i = 0; i <= s; ++i) {
        const SourceInfo& info = info_[b][i];
        if (!info.known) continue;
        GAGGLE_ASSIGN_OR_RETURN(int c, FindColumn(info, tok, u));
        if (c < 0) continue;
        const SourceColumn& col = info.columns[c];
        if (col.dropped) return Refuse(u, "USING (" + tok.name + ") uses a column dropped from " + info.label);
        MarkNeeded(info, col);
        if (!first) {
          first = col;
          first_label = info.label;
        } else if (first->new_name != col.new_name) {
          return Refuse(u, "USING (" + tok.name + ") is ambiguous: " + Describe(*first) + " in " + first_label + ", " +
                               Describe(col) + " in " + info.label);
        }
      }
      if (first) Emit(u, RenderColumn(tok, *first), *first);
    }
    return Status::OK();
  }

  // The output contract: a renamed column output without an alias by the query itself
  // (its first block: a set operation's names) keeps its old name, `new AS old`, so readers
  // of the consumer's output keep working.
  void KeepOutputNames() {
    if (qs_.queries.empty() || qs_.queries[0].blocks.empty()) return;
    const int b = qs_.queries[0].blocks[0];
    const SqlQueryBlock& top = qs_.blocks[b];
    for (const SqlSelectItem& item : top.items) {
      if (item.alias >= 0 || item.ref < 0) continue;
      const SqlColumnRef& ref = top.refs[static_cast<size_t>(item.ref)];
      if (ref.star && !item.star_modifiers && sources_state_[b] == 2) KeepStarNames(b, item, ref);
      if (ref.star || ref.parts.empty() || !renamed_to_.count(ref.parts.back())) continue;
      auto e = edits_.find(qs_.sig[ref.parts.back()]);
      if (e == edits_.end()) continue;
      e->second.text += " AS " + std::string(Sig(ref.parts.back()).text);
    }
  }

  // A `*` or `q.*` that outputs renamed columns, written out (verify/output_contract.h).
  void KeepStarNames(int b, const SqlSelectItem& item, const SqlColumnRef& ref) {
    std::vector<size_t> stars;
    if (ref.parts.empty()) {
      for (size_t s = 0; s < qs_.blocks[b].sources.size(); ++s) stars.push_back(s);
    } else if (auto [level, found] = FindQualified(b, ref.parts); level == b) {
      stars = found;
    }
    std::vector<StarColumn> cols;
    bool renamed = false;
    for (size_t s : stars) {
      const SourceInfo& info = info_[b][s];
      if (!info.known || (info.qualifier.empty() && (stars.size() > 1 || !ref.parts.empty()))) return;
      for (const SourceColumn& c : info.columns) {
        renamed |= !c.dropped && c.new_name != c.old_name;
        if (!c.dropped)
          cols.push_back({stars.size() > 1 || !ref.parts.empty() ? info.qualifier : "", c.new_name, c.old_name});
      }
    }
    if (renamed) AddEdit(item.begin, item.end - 1, ExpandStarKeepingNames(cols), "output names kept:");
  }

  // The top-level query's output names, and which of them the rewrite renames (only when
  // output names are not kept). Outputs that cannot be worked out are reported unknown:
  // the query itself may still rewrite.
  void ReportOutputs(RewrittenQuery* out) {
    out->outputs_known = false;
    if (qs_.queries.empty() || qs_.queries[0].blocks.empty()) return;
    auto outputs = QueryOutputs(0, qs_.blocks[static_cast<size_t>(qs_.queries[0].blocks[0])].start);
    if (!outputs.ok()) return;
    out->outputs_known = outputs->known;
    for (const SourceColumn& c : outputs->columns) {
      out->outputs.push_back(c.old_name);
      if (c.dropped) out->dropped_outputs.insert(c.old_name);
      if (c.dropped) continue;
      if (!rules_.preserve_output_names && !c.old_name.empty() && c.new_name != c.old_name)
        out->renamed_outputs[c.old_name] = c.new_name;
    }
  }

  Result<RewrittenQuery> Finish() {
    RewrittenQuery out;
    // Table references to migrated datasets.
    for (size_t b = 0; b < qs_.blocks.size(); ++b) {
      for (size_t s = 0; s < qs_.blocks[b].sources.size(); ++s) {
        const SourceInfo& info = info_[b][s];
        if (info.change == nullptr || info.change->keep_name) continue;
        const SqlSource& src = Src(static_cast<int>(b), s);
        std::string text = RenderTable(src, info.change->new_table);
        if (text != SpanText(src.name)) AddEdit(src.name.front(), src.name.back(), text, "table");
      }
    }
    if (rules_.preserve_output_names) KeepOutputNames();
    ReportOutputs(&out);
    std::vector<std::pair<size_t, std::string>> described = notes_;
    for (size_t t = 0; t < qs_.tokens.size();) {
      auto e = edits_.find(t);
      if (e == edits_.end()) {
        out.sql += qs_.tokens[t].text;
        ++t;
        continue;
      }
      std::string old;
      for (size_t k = t; k < e->second.end; ++k) old += qs_.tokens[k].text;
      out.sql += e->second.text;
      described.push_back({t, SqlPosition(qs_.tokens[t]) + ": " + (e->second.what.empty() ? "" : e->second.what + " ") +
                                  old + " -> " + e->second.text});
      out.changed = true;
      t = e->second.end;
    }
    std::stable_sort(described.begin(), described.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& d : described) out.edits.push_back(std::move(d.second));
    out.tables.assign(tables_.begin(), tables_.end());
    for (const std::string& id : out.tables) {
      const std::set<std::string>& used = needed_[id];
      auto m = rules_.migrated.find(id);
      const std::vector<std::string>& cols =
          m != rules_.migrated.end() ? m->second.columns : rules_.other_tables.at(id);
      std::vector<std::string>& old_cols = out.columns_needed[id];
      for (const std::string& c : cols) {
        if (used.count(c)) old_cols.push_back(c);
      }
      if (m == rules_.migrated.end()) continue;
      std::vector<std::string>& new_cols = out.new_columns_needed[id];
      for (const std::string& c : old_cols) {
        if (m->second.dropped.count(c)) continue;
        auto r = m->second.renamed.find(c);
        new_cols.push_back(r == m->second.renamed.end() ? c : r->second);
      }
    }
    return out;
  }

  const QueryStructure& qs_;
  const RewriteRules& rules_;
  std::vector<std::pair<const std::string*, std::vector<std::string>>> ids_;
  std::vector<std::vector<SourceInfo>> info_;
  std::vector<int> sources_state_;  // 0 not started, 1 in progress, 2 done
  std::vector<std::optional<Outputs>> outputs_;
  std::vector<int> outputs_state_;
  std::vector<std::vector<bool>> ref_done_;
  std::map<size_t, std::string> renamed_to_;  // sig index of a renamed column reference -> new name
  std::map<size_t, Edit> edits_;              // token index -> replacement of tokens [index, end)
  std::vector<std::pair<size_t, std::string>> notes_;
  std::set<std::string> tables_;
  std::map<std::string, std::set<std::string>> needed_;
};

}  // namespace

Result<RewrittenQuery> RewriteQuery(std::string_view sql, const RewriteRules& rules) {
  GAGGLE_RETURN_IF_ERROR(ValidateRewriteRules(rules));
  GAGGLE_ASSIGN_OR_RETURN(QueryStructure qs, ScanQueryStructure(sql));
  Rewriter rewriter(qs, rules);
  GAGGLE_ASSIGN_OR_RETURN(RewrittenQuery out, rewriter.Run());
  if (!out.changed) out.sql = std::string(sql);
  return out;
}

}  // namespace gaggle
