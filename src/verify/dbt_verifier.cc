#include "verify/dbt_verifier.h"

#include <memory>
#include <set>

#include "verify/dbt_model.h"
#include "verify/duckdb_engine.h"
#include "verify/duckdb_table_loader.h"
#include "verify/query_patch.h"
#include "verify/query_result.h"

namespace gaggle {
namespace {

std::string SourceKey(const DbtJinja& j) { return j.args[0] + "." + j.args[1]; }

std::string RuleKey(const DbtJinja& j) {
  return j.kind == DbtJinja::Kind::kSource ? "source:" + SourceKey(j) : "ref:" + j.args.back();
}

// One side of a source as an engine table or view.
Status LoadSource(DuckDbConnection* conn, const std::string& table, const std::string& root,
                  const MigrationSpec* through, const std::optional<Schema>& text_schema) {
  if (through == nullptr && IsParquetDataset(root)) return CreateParquetView(conn, table, root);
  TableLoadRequest req;
  req.table = table;
  req.root = root;
  req.through = through;
  req.text_schema = text_schema;
  return LoadDuckDbTable(conn, req).status();
}

// The one statement of a rendered model, without a trailing ';'.
Result<std::string> OneStatement(const std::string& sql) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<SqlStatementSpan> spans, SplitSqlFile(sql));
  if (spans.size() != 1) {
    return Status::InvalidArgument("a model must hold exactly one statement; this one holds " +
                                   std::to_string(spans.size()));
  }
  return sql.substr(spans[0].begin, spans[0].end - spans[0].begin);
}

class DbtRun {
 public:
  DbtRun(const DbtProject& project, const std::map<std::string, DbtSourceData>& sources, const DbtVerifyOptions& o)
      : project_(project), sources_(sources), options_(o) {}

  Status Open() {
    DuckDbOptions o;
    o.memory_limit = options_.memory_limit;
    o.threads = 1;
    GAGGLE_ASSIGN_OR_RETURN(engine_, DuckDbEngine::Open(o));
    GAGGLE_ASSIGN_OR_RETURN(conn_, engine_->Connect());
    for (const auto& [key, data] : sources_) {
      const bool migrated = !data.new_path.empty();
      GAGGLE_RETURN_IF_ERROR(
          LoadSource(conn_.get(), "old_src_" + key, data.old_path, migrated ? data.through : nullptr, data.text_schema)
              .WithContext("source " + key + " (" + data.old_path + ")"));
      if (!migrated) continue;
      GAGGLE_RETURN_IF_ERROR(LoadSource(conn_.get(), "new_src_" + key, data.new_path, nullptr, std::nullopt)
                                 .WithContext("source " + key + " (" + data.new_path + ")"));
    }
    return Status::OK();
  }

  // Models in ref order; those that ref an unknown model or lie on a cycle come last, with
  // the reason in failed_.
  std::vector<const DbtModel*> RefOrder() {
    std::map<std::string, std::vector<std::string>> refs;
    for (const DbtModel& m : project_.models) {
      auto r = DbtRefs(m.sql);
      if (!r.ok()) {
        failed_[m.name] = r.status().message();
        continue;
      }
      refs[m.name] = *r;
    }
    std::vector<const DbtModel*> order;
    std::set<std::string> done;
    for (bool progress = true; progress;) {
      progress = false;
      for (const DbtModel& m : project_.models) {
        if (done.count(m.name) || failed_.count(m.name)) continue;
        bool ready = true;
        for (const std::string& r : refs[m.name]) ready &= done.count(r) > 0;
        if (!ready) continue;
        order.push_back(&m);
        done.insert(m.name);
        progress = true;
      }
    }
    for (const DbtModel& m : project_.models) {
      if (done.count(m.name)) continue;
      if (!failed_.count(m.name)) {
        std::string why = "refs a model that is unknown or on a ref cycle:";
        for (const std::string& r : refs[m.name]) {
          if (!done.count(r)) why += " " + r;
        }
        failed_[m.name] = why;
      }
      order.push_back(&m);
    }
    return order;
  }

  DbtModelCheck Check(const DbtModel& m) {
    DbtModelCheck c;
    c.model = m.name;
    c.path = m.path;
    if (auto f = failed_.find(m.name); f != failed_.end()) return Fail(std::move(c), f->second);
    auto refs = DbtRefs(m.sql);
    for (const std::string& r : refs.ok() ? *refs : std::vector<std::string>{}) {
      if (!built_.count(r)) return Fail(std::move(c), "refs model " + r + ", which could not be built: " + failed_[r]);
    }
    auto old_sql = Render(m.sql, "old");
    if (!old_sql.ok()) return Fail(std::move(c), "old side: " + old_sql.status().message());
    if (Status s = conn_->Execute("CREATE VIEW " + View("old", "m", m.name) + " AS " + *old_sql); !s.ok()) {
      return Fail(std::move(c), "old side: " + s.message());
    }
    auto rules = RulesFor(m);
    if (!rules.ok()) return Fail(std::move(c), rules.status().message());
    auto rewrite = RewriteDbtModel(m.sql, *rules, RuleKey);
    if (!rewrite.ok()) return Fail(std::move(c), rewrite.status().message());
    c.rewrite = std::move(*rewrite);
    c.patch = RenderFilePatch(options_.path_prefix + m.path, m.sql, c.rewrite.text);
    for (const SqlFileStatement& s : c.rewrite.statements) {
      if (!s.refused.empty()) return Fail(std::move(c), "cannot rewrite: " + s.refused, QueryCheck::Outcome::kRefused);
    }
    auto new_sql = Render(c.rewrite.text, "new");
    if (!new_sql.ok()) return Fail(std::move(c), "new side: " + new_sql.status().message());
    if (Status s = conn_->Execute("CREATE VIEW " + View("new", "m", m.name) + " AS " + *new_sql); !s.ok()) {
      return Fail(std::move(c), "new side: " + s.message());
    }
    built_.insert(m.name);  // both sides exist: its readers can be checked, whatever its answer
    Compare(&c);
    return c;
  }

 private:
  static std::string View(const std::string& side, const std::string& kind, const std::string& name) {
    return QuoteSqlIdentifier(side + "_" + kind + "_" + name);
  }

  DbtModelCheck Fail(DbtModelCheck c, const std::string& reason,
                     QueryCheck::Outcome outcome = QueryCheck::Outcome::kError) {
    c.outcome = outcome;
    c.reason = reason;
    failed_.emplace(c.model, reason);
    return c;
  }

  // The model's one statement with refs and sources named for `side`.
  Result<std::string> Render(const std::string& sql, const std::string& side) {
    GAGGLE_ASSIGN_OR_RETURN(std::string rendered, RenderDbtModel(sql, [&](const DbtJinja& j) -> Result<std::string> {
                              if (j.kind == DbtJinja::Kind::kRef) return View(side, "m", j.args.back());
                              auto it = sources_.find(SourceKey(j));
                              if (it == sources_.end()) {
                                return Status::NotFound("source '" + SourceKey(j) + "' has no data to check with");
                              }
                              return View(side == "new" && !it->second.new_path.empty() ? "new" : "old", "src",
                                          SourceKey(j));
                            }));
    return OneStatement(rendered);
  }

  Result<std::vector<std::string>> Columns(const std::string& view) {
    GAGGLE_ASSIGN_OR_RETURN(QueryResult r, conn_->Query("SELECT * FROM " + view + " LIMIT 0", 1));
    return r.columns;
  }

  // What the rewriter must know of each relation the model reads.
  Result<RewriteRules> RulesFor(const DbtModel& m) {
    RewriteRules rules;
    rules.preserve_output_names = !options_.propagate_renames;
    GAGGLE_ASSIGN_OR_RETURN(std::vector<DbtJinja> blocks, ScanDbtJinja(m.sql));
    for (const DbtJinja& j : blocks) {
      if (j.kind == DbtJinja::Kind::kRef) {
        GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> cols, Columns(View("old", "m", j.args.back())));
        auto renamed = renamed_outputs_.find(j.args.back());
        if (renamed == renamed_outputs_.end()) {
          rules.other_tables[RuleKey(j)] = std::move(cols);
        } else {
          // Propagation: the model it refs now outputs renamed columns; follow them.
          rules.migrated[RuleKey(j)] = {"placeholder", std::move(cols), renamed->second, {}};
        }
      } else if (j.kind == DbtJinja::Kind::kSource) {
        const DbtSourceData& data = sources_.at(SourceKey(j));  // rendering the old side found it
        GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> cols, Columns(View("old", "src", SourceKey(j))));
        if (data.new_path.empty()) {
          rules.other_tables[RuleKey(j)] = std::move(cols);
          continue;
        }
        TableChange change = data.change;
        if (change.columns.empty()) change.columns = std::move(cols);
        change.new_table = "placeholder";  // RewriteDbtModel keeps the Jinja
        rules.migrated[RuleKey(j)] = std::move(change);
      }
    }
    GAGGLE_RETURN_IF_ERROR(ValidateRewriteRules(rules));
    return rules;
  }

  void Compare(DbtModelCheck* c) {
    auto old_r = conn_->Query("SELECT * FROM " + View("old", "m", c->model), options_.max_rows);
    auto new_r = conn_->Query("SELECT * FROM " + View("new", "m", c->model), options_.max_rows);
    if (!old_r.ok() || !new_r.ok()) {
      c->outcome = QueryCheck::Outcome::kError;
      c->reason = !old_r.ok() ? "old side: " + old_r.status().message() : "new side: " + new_r.status().message();
      return;
    }
    c->rows_old = static_cast<int64_t>(old_r->rows.size());
    c->rows_new = static_cast<int64_t>(new_r->rows.size());
    c->columns_old = old_r->columns;
    c->columns_new = new_r->columns;
    // Propagation: what the model outputs under a new name, for the models that ref it.
    const bool propagates = options_.propagate_renames && c->columns_old.size() == c->columns_new.size();
    for (size_t i = 0; propagates && i < c->columns_old.size(); ++i) {
      if (c->columns_old[i] != c->columns_new[i]) renamed_outputs_[c->model][c->columns_old[i]] = c->columns_new[i];
    }
    const ResultDiff diff = CompareQueryResults(*old_r, *new_r, options_.float_tolerance, 3);
    for (const SqlRow& r : diff.examples_old) c->examples_old.push_back(RowToString(r));
    for (const SqlRow& r : diff.examples_new) c->examples_new.push_back(RowToString(r));
    if (!diff.same) {
      c->outcome = QueryCheck::Outcome::kMismatched;
      c->reason = diff.reason;
    } else if (c->columns_old != c->columns_new && !propagates) {
      c->outcome = QueryCheck::Outcome::kMismatched;
      std::string o, n;
      for (const std::string& s : c->columns_old) o += (o.empty() ? "" : ", ") + s;
      for (const std::string& s : c->columns_new) n += (n.empty() ? "" : ", ") + s;
      c->reason = "the model's output columns change from (" + o + ") to (" + n + "): its readers would break";
    }
  }

  const DbtProject& project_;
  const std::map<std::string, DbtSourceData>& sources_;
  const DbtVerifyOptions& options_;
  std::unique_ptr<DuckDbEngine> engine_;
  std::unique_ptr<DuckDbConnection> conn_;
  std::map<std::string, std::string> failed_;                                  // model -> why it could not be built
  std::set<std::string> built_;                                                // models with a view on both sides
  std::map<std::string, std::map<std::string, std::string>> renamed_outputs_;  // model -> old -> new output name
};

}  // namespace

bool DbtVerification::passed() const {
  for (const DbtModelCheck& m : models) {
    if (m.outcome != QueryCheck::Outcome::kMatched) return false;
  }
  return true;
}

std::string DbtVerification::Summary() const {
  int same = 0;
  std::string others;
  for (const DbtModelCheck& m : models) {
    if (m.outcome == QueryCheck::Outcome::kMatched) {
      ++same;
      continue;
    }
    others += std::string(", ") + OutcomeName(m.outcome) + " (" + m.model + ")";
  }
  return std::to_string(models.size()) + " model" + (models.size() == 1 ? "" : "s") +
         " verified: " + std::to_string(same) + " same answer" + others;
}

Result<DbtVerification> VerifyDbtProject(const DbtProject& project, const std::map<std::string, DbtSourceData>& sources,
                                         const DbtVerifyOptions& options) {
  DbtRun run(project, sources, options);
  GAGGLE_RETURN_IF_ERROR(run.Open());
  DbtVerification out;
  for (const DbtModel* m : run.RefOrder()) out.models.push_back(run.Check(*m));
  return out;
}

}  // namespace gaggle
