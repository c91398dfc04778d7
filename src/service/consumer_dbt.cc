#include "service/consumer_dbt.h"

#include <map>
#include <memory>

#include "common/dataset_location.h"
#include "verify/dbt_verifier.h"
#include "verify/query_patch.h"

namespace gaggle::service {
namespace {

// What the check needs of each source table the catalog knows: old and new data of a
// migrated dataset with its change, the data of any other.
Result<std::map<std::string, DbtSourceData>> SourceData(const DbtProject& project, const Catalog& catalog,
                                                        const MigrationSpec& spec, ConsumerRules* rules) {
  std::vector<std::string> ids;
  for (NodeId n = 0; n < catalog.size(); ++n) {
    if (catalog.entity(n).is_dataset()) ids.push_back(catalog.entity(n).id);
  }
  std::map<std::string, DbtSourceData> out;
  for (const DbtSourceTable& t : project.sources) {
    const std::string id = DbtSourceDataset(t, ids);
    if (id.empty()) continue;  // a model reading it is reported as unchecked, with the reason
    DbtSourceData d;
    if (rules->ChangedOutput(id) != nullptr && !rules->IsMigrated(id)) {
      // Its new side is a query's answer, not data on disk: refused rather than checked on
      // the wrong data.
      return Status::Unsupported("source '" + t.source + "." + t.table + "' is " + id +
                                 ", whose output columns the propagated rename changes: a dbt project reading a "
                                 "changed consumer through source() is not rewritten (use output_names: keep)");
    }
    if (rules->IsMigrated(id)) {
      const TableChange* change = rules->Change(id);
      if (change == nullptr) return Status::NotFound("the old data of " + id + " cannot be read");
      d.old_path = rules->Migrated(id).old_root;
      d.new_path = rules->Migrated(id).new_root;
      d.change = *change;
      d.through = &spec;
      d.text_schema = spec.transform.source_schema;
    } else {
      auto n = catalog.Find(id);
      if (!n) continue;
      auto path = LocalPathFromUri(catalog.entity(*n).uri);
      if (!path.ok()) continue;
      d.old_path = *path;
    }
    out[t.source + "." + t.table] = std::move(d);
  }
  return out;
}

QueryCheck CheckOf(const DbtModelCheck& m) {
  QueryCheck q;
  q.outcome = m.outcome;
  q.reason = m.reason;
  q.rows_old = m.rows_old;
  q.rows_new = m.rows_new;
  if (!m.rewrite.statements.empty()) {
    q.original = m.rewrite.statements[0].original;
    q.rewritten = m.rewrite.statements[0].rewritten;
  }
  return q;
}

}  // namespace

Result<DbtConsumer> PrepareDbtConsumer(const GitCheckout& repo, const std::string& project_dir, NodeId consumer,
                                       const Catalog& catalog, const MigrationSpec& spec, ConsumerRules* rules) {
  const Entity& e = catalog.entity(consumer);
  std::string prefix;
  if (project_dir != "." && !project_dir.empty()) {
    std::string dir = project_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    GAGGLE_RETURN_IF_ERROR(CheckRepoRelativePath(dir).WithContext(e.id));
    prefix = dir + "/";
  }
  auto project = LoadDbtProject(repo.root() + "/" + prefix);
  if (!project.ok()) return project.status().WithContext(e.id);
  GAGGLE_ASSIGN_OR_RETURN(auto sources, SourceData(*project, catalog, spec, rules));
  DbtVerifyOptions o;
  o.path_prefix = prefix;
  o.float_tolerance = spec.verify.float_tolerance;
  o.propagate_renames = spec.verify.output_names == VerifySpec::OutputNames::kPropagate;
  auto checked = VerifyDbtProject(*project, sources, o);
  if (!checked.ok()) return checked.status().WithContext(e.id);
  DbtConsumer out;
  out.summary = checked->Summary();
  out.files.consumer = e.id;
  out.evidence.consumer = e.id;
  out.evidence.owner = e.owner;
  auto rewrites = std::make_shared<std::map<std::string, std::pair<std::string, SqlFileRewrite>>>();
  for (const DbtModelCheck& m : checked->models) {
    const std::string path = prefix + m.path;
    out.files.paths.push_back(path);
    const DbtModel* model = project->FindModel(m.model);
    (*rewrites)[path] = {model ? model->sql : "", m.rewrite};
    const QueryCheck check = CheckOf(m);
    out.evidence.checks.push_back(check);
    out.evidence.catalog_queries.push_back(check.original);
  }
  out.files.rewrite = [rewrites](const std::string& path, const std::string& text) -> Result<SqlFileRewrite> {
    auto it = rewrites->find(path);
    if (it == rewrites->end() || it->second.first != text) {
      return Status::Conflict(path + " is not the model that was checked (it changed since): run again");
    }
    if (it->second.second.statements.empty() && !text.empty()) {
      SqlFileRewrite same;  // not rewritten (its check failed before): left as it is
      same.text = text;
      return same;
    }
    return it->second.second;
  };
  return out;
}

}  // namespace gaggle::service
