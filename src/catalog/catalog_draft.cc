#include "catalog/catalog_draft.h"

#include <algorithm>
#include <cctype>

#include "catalog/entity_ref.h"

namespace gaggle {
namespace {

// Enough to fix a catalog in one pass; a catalog with more problems than this is
// probably the wrong directory altogether.
constexpr size_t kMaxListedDraftProblems = 500;

std::string Where(const DraftEntity& e) { return e.entity.source + ":" + std::to_string(e.line); }

}  // namespace

std::string CatalogProblem::ToString() const {
  std::string s = file.empty() ? std::string("<catalog>") : file;
  if (line > 0) s += ":" + std::to_string(line);
  if (line > 0 && column > 0) s += ":" + std::to_string(column);
  return s + ": " + message;
}

Status ProblemsStatus(std::vector<CatalogProblem> problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const CatalogProblem& a, const CatalogProblem& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
  std::string msg = "catalog has " + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") +
                    " (nothing was imported):";
  for (size_t i = 0; i < problems.size() && i < kMaxListedDraftProblems; ++i) msg += "\n  " + problems[i].ToString();
  if (problems.size() > kMaxListedDraftProblems) {
    msg += "\n  ... and " + std::to_string(problems.size() - kMaxListedDraftProblems) + " more";
  }
  return Status::InvalidArgument(msg);
}

void CatalogDraft::AddProblem(const std::string& file, int line, int column, std::string message) {
  problems_.push_back({file, line, column, std::move(message)});
}

void CatalogDraft::AddSkipped(const std::string& kind, const std::string& key) {
  std::string lower = kind;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& [k, keys] : skipped_) {
    std::string kl = k;
    for (char& c : kl) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (kl == lower) {
      keys.push_back(key);
      return;
    }
  }
  skipped_[kind].push_back(key);
}

namespace {

// "guests, team-a, ..." from "group:default/guests"...: the first few names, namespace
// shown outside "default".
std::string FirstNames(const std::vector<std::string>& keys) {
  constexpr size_t kNamesShown = 5;
  std::string names;
  for (size_t i = 0; i < keys.size() && i < kNamesShown; ++i) {
    std::string name = keys[i].substr(keys[i].find(':') + 1);
    if (name.rfind("default/", 0) == 0) name = name.substr(8);
    names += (i ? ", " : "") + name;
  }
  if (keys.size() > kNamesShown) names += ", ...";
  return names;
}

}  // namespace

std::vector<std::string> CatalogDraft::Notes() const {
  std::vector<std::string> out = notes_;
  if (!plain_resources_.empty()) {
    const size_t n = plain_resources_.size();
    out.push_back(std::to_string(n) + (n == 1 ? " Resource" : " Resources") +
                  " of type database, table or dataset without a gaggle.dev/* dataset annotation (" +
                  FirstNames(plain_resources_) + "): kept as lineage resources, not migrated");
  }
  for (const auto& [kind, keys] : skipped_) {
    out.push_back("skipped " + std::to_string(keys.size()) + " " + kind + " entit" + (keys.size() == 1 ? "y" : "ies") +
                  " (" + FirstNames(keys) + "): kept as reference targets only (gaggle migrates datasets; owners and " +
                  "systems stay on the entities that name them)");
  }
  return out;
}

Result<Catalog> CatalogDraft::Finish() {
  std::unordered_map<std::string, size_t> by_key;
  std::unordered_map<std::string, size_t> by_id;
  std::vector<bool> duplicate(entities_.size(), false);
  for (size_t i = 0; i < entities_.size(); ++i) {
    const DraftEntity& e = entities_[i];
    auto [kit, kfresh] = by_key.emplace(e.key, i);
    if (!kfresh) {
      AddProblem(e.entity.source, e.line, e.column,
                 "duplicate entity " + e.key + " (first declared at " + Where(entities_[kit->second]) + ")");
      duplicate[i] = true;
      continue;
    }
    auto [iit, ifresh] = by_id.emplace(e.entity.id, i);
    if (!ifresh) {
      AddProblem(e.entity.source, e.line, e.column,
                 "duplicate entity id '" + e.entity.id + "' (first declared at " + Where(entities_[iit->second]) + ")");
      duplicate[i] = true;
    }
  }

  // Resolves one reference to an entity index; -1 when it names an ignored entity.
  auto resolve = [&](const DraftEntity& owner, const DraftRef& ref, const char* field) -> long {
    if (ref.native) {
      auto it = by_id.find(ref.text);
      if (it != by_id.end()) return static_cast<long>(it->second);
    }
    // Native catalogs name datasets by id, so a kind-less reference there is a dataset.
    auto parsed = ParseEntityRef(ref.text, EntityRefDefaults{ref.native ? "resource" : "", ref.default_ns});
    if (!parsed.ok()) {
      AddProblem(owner.entity.source, ref.line, ref.column,
                 owner.entity.id + ": " + field + ": " + parsed.status().message());
      return -2;
    }
    std::string key = parsed->Key();
    auto it = by_key.find(key);
    if (it != by_key.end()) return static_cast<long>(it->second);
    if (ignored_keys_.count(key)) return -1;
    AddProblem(owner.entity.source, ref.line, ref.column,
               owner.entity.id + ": " + field + " names " + parsed->ToString() +
                   ", which is not in the catalog (dangling reference)");
    return -2;
  };

  std::vector<std::pair<size_t, size_t>> edges;
  for (size_t i = 0; i < entities_.size(); ++i) {
    if (duplicate[i]) continue;
    const DraftEntity& e = entities_[i];
    for (const DraftRef& ref : e.upstream) {
      long u = resolve(e, ref, ref.native ? "upstream" : "dependsOn");
      if (u < 0) continue;
      if (static_cast<size_t>(u) == i) {
        AddProblem(e.entity.source, ref.line, ref.column, e.entity.id + " depends on itself");
        continue;
      }
      edges.emplace_back(static_cast<size_t>(u), i);
    }
    for (const DraftRef& ref : e.downstream) {
      long d = resolve(e, ref, ref.native ? "downstream" : "dependencyOf");
      if (d < 0) continue;
      if (static_cast<size_t>(d) == i) {
        AddProblem(e.entity.source, ref.line, ref.column, e.entity.id + " is a dependency of itself");
        continue;
      }
      edges.emplace_back(i, static_cast<size_t>(d));
    }
  }
  if (!problems_.empty()) return ProblemsStatus(problems_);

  Catalog catalog;
  for (size_t i = 0; i < entities_.size(); ++i) catalog.AddEntity(entities_[i].entity);
  for (const auto& [u, d] : edges) catalog.AddEdge(entities_[u].entity.id, entities_[d].entity.id);
  GAGGLE_RETURN_IF_ERROR(catalog.Finalize());
  return catalog;
}

}  // namespace gaggle
