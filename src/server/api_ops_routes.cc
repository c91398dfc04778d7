// Routes: the CLI's remaining state operations over HTTP, through the same service
// functions — catalog import (from the body's text), export (Backstage descriptors
// returned inline), import history, a migration's or a dataset's logs, the event
// chain's verification, the downstream query verification, and the consumers' own
// repositories patched as a git branch (`gaggle consumers patch`).
#include <filesystem>
#include <fstream>

#include "server/api_handlers.h"
#include "service/after_operations.h"
#include "service/catalog_operations.h"
#include "service/consumer_repo_operations.h"
#include "service/log_operations.h"
#include "service/status_operations.h"

namespace gaggle::server {
namespace {

// A catalog over HTTP is one text; the server's body limit (--max-body) bounds it too.
constexpr size_t kMaxCatalogText = 64u << 20;
// An export larger than this is refused rather than held in memory for one response;
// `gaggle catalog export DIR` has no such limit.
constexpr uintmax_t kMaxExportBytes = 64u << 20;
// Log lines per file in one response.
constexpr int64_t kMaxLogTail = 10000;

void ImportCatalog(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto text = body->String("text", kMaxCatalogText);
  if (!text.ok()) return c.Fail(text.status());
  auto name = body->OptString("name", 256);
  if (!name.ok()) return c.Fail(name.status());
  if (!FinishBody(c, *body)) return;
  service::CatalogImportRequest r;
  r.documents.push_back({"api:" + name->value_or("request"), std::move(*text)});
  Send(c, service::ImportCatalog(c.ctx, r));
}

void CatalogHistory(ApiCall& c) {
  auto limit = c.QueryInt("limit", 20, 1, 1000);
  if (!limit.ok()) return c.Fail(limit.status());
  const std::string ids = c.Query("ids", "false");
  if (ids != "true" && ids != "false") {
    return c.Fail(Status::InvalidArgument("ids: expected true or false, got '" + ids + "'"));
  }
  auto h = service::GetCatalogHistory(c.ctx, static_cast<size_t>(*limit), ids == "true");
  if (!h.ok()) return c.Fail(h.status());
  c.Json({{"items", h->ToJson()}});
}

void ExportCatalog(ApiCall& c) {
  ScratchDir dir("gaggle-export");
  if (dir.path().empty()) return c.Fail(Status::IOError("cannot make a scratch directory for the export"));
  auto exported = service::ExportCatalog(c.ctx, dir.path() + "/catalog");
  if (!exported.ok()) return c.Fail(exported.status());
  nlohmann::json files = nlohmann::json::array();
  uintmax_t total = 0;
  std::error_code ec;
  for (const std::string& f : exported->files) {
    const std::string full = std::filesystem::path(f).is_absolute() ? f : dir.path() + "/catalog/" + f;
    total += std::filesystem::file_size(full, ec);
    if (ec || total > kMaxExportBytes) {
      return c.Fail(Status::InvalidArgument("the export is over " + std::to_string(kMaxExportBytes >> 20) +
                                            " MB (or unreadable): use `gaggle catalog export DIR` on the server"));
    }
    std::ifstream in(full, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    files.push_back({{"path", std::filesystem::relative(full, dir.path() + "/catalog").string()}, {"text", text}});
  }
  nlohmann::json j = exported->ToJson();
  j.erase("dir");
  j["files"] = std::move(files);
  c.Json(j);
}

void Logs(ApiCall& c) {
  service::LogRequest r;
  r.migration = c.path["migration"];
  r.dataset = c.Query("dataset");
  auto tail = c.QueryInt("tail", 200, 1, kMaxLogTail);
  if (!tail.ok()) return c.Fail(tail.status());
  r.tail = static_cast<size_t>(*tail);
  nlohmann::json items = nlohmann::json::array();
  Status s = service::ReadLog(c.ctx, r, [&](service::LogSource source, const std::string& line) {
    const char* name = source == service::LogSource::kRun    ? "run"
                       : source == service::LogSource::kTask ? "task"
                                                             : "agent";
    // A JSON-lines log line is sent as its object; anything else (an agent's own
    // output, a torn last line) as text.
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    nlohmann::json item = {{"source", name}};
    if (source != service::LogSource::kAgent && parsed.is_object()) {
      item["entry"] = std::move(parsed);
    } else {
      item["text"] = line;
    }
    items.push_back(std::move(item));
  });
  if (!s.ok()) return c.Fail(s);
  c.Json({{"migration", r.migration}, {"dataset", r.dataset}, {"items", items}});
}

void VerifyEventChain(ApiCall& c) {
  auto report = service::VerifyEvents(c.ctx);
  if (!report.ok()) return c.Fail(report.status());
  c.Json(service::EventChainJson(*report));
}

void VerifyDownstream(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto sample = body->OptInt("sample", 1, 100000);
  if (!sample.ok()) return c.Fail(sample.status());
  auto seed = body->OptInt("seed", 0, INT64_MAX);
  if (!seed.ok()) return c.Fail(seed.status());
  if (!FinishBody(c, *body)) return;
  service::VerifyRequest r;
  r.migration = c.path["migration"];
  r.sample = *sample;
  if (*seed) r.seed = static_cast<uint64_t>(**seed);
  Send(c, service::VerifyDownstream(c.ctx, r));
}

// `gaggle consumers patch` over HTTP: the branch in a repository on the server's machine.
// The spec is the run's and the description goes to the artifacts (and into the answer):
// a request names no other file of the server to read or write.
void PatchConsumers(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto repo = body->String("repo", 4096);
  if (!repo.ok()) return c.Fail(repo.status());
  auto branch = body->OptString("branch", 256);
  if (!branch.ok()) return c.Fail(branch.status());
  auto replace = body->OptBool("replace_branch");
  if (!replace.ok()) return c.Fail(replace.status());
  auto consumers = body->StringList("consumers", 10000);
  if (!consumers.ok()) return c.Fail(consumers.status());
  if (!FinishBody(c, *body)) return;
  service::ConsumerPatchRequest r;
  r.migration = c.path["migration"];
  r.repo = *repo;
  r.branch = branch->value_or("");
  r.replace_branch = replace->value_or(false);
  r.consumers = std::move(*consumers);
  auto result = service::PatchConsumerRepo(c.ctx, r);
  if (!result.ok()) return c.Fail(result.status());
  nlohmann::json j = result->ToJson();
  j["description"] = result->description;
  c.Json(j);
}

}  // namespace

void AddOperationRoutes(std::vector<Route>* routes) {
  routes->push_back({"POST",
                     "/api/v1/catalog/import",
                     Access::kAdmin,
                     "Replace the catalog with the one in the body (Backstage descriptors or a native catalog), "
                     "all-or-nothing, as `gaggle catalog import`",
                     {},
                     {{"text", "string", "the catalog: a multi-document YAML stream or a native catalog", true},
                      {"name", "string", "a name for it in the import history and in problems"}},
                     "application/json",
                     ImportCatalog});
  routes->push_back({"GET",
                     "/api/v1/catalog/history",
                     Access::kViewer,
                     "Past catalog imports and what each changed, newest first",
                     {{"limit", "integer", "1 to 1000 (default 20)"},
                      {"ids", "boolean", "list the ids added, updated and removed (default false)"}},
                     {},
                     "application/json",
                     CatalogHistory});
  routes->push_back({"GET",
                     "/api/v1/catalog/export",
                     Access::kViewer,
                     "The catalog, migrations and agents as Backstage descriptor files, inline (up to 64 MB)",
                     {},
                     {},
                     "application/json",
                     ExportCatalog});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}/logs",
                     Access::kViewer,
                     "The run log, or one dataset's task log and its agent's output (the last lines)",
                     {{"dataset", "string", "a dataset's logs instead of the run log"},
                      {"tail", "integer", "the last N lines of each file, 1 to 10000 (default 200)"}},
                     {},
                     "application/json",
                     Logs});
  routes->push_back({"GET",
                     "/api/v1/events/verify",
                     Access::kViewer,
                     "Recompute the event log's hash chain: whether any event was changed, removed or reordered",
                     {},
                     {},
                     "application/json",
                     VerifyEventChain});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/verify",
                     Access::kAdmin,
                     "Downstream query verification on a sample of the consumers' queries, as `gaggle verify`",
                     {},
                     {{"sample", "integer", "how many queries (default: the spec's)"},
                      {"seed", "integer", "the sampling seed (default: the spec's)"}},
                     "application/json",
                     VerifyDownstream});
  routes->push_back(
      {"POST",
       "/api/v1/migrations/{migration}/consumers/patch",
       Access::kAdmin,
       "The consumers' own SQL files rewritten for the migration, as a branch of their git repository on the "
       "server's machine with one commit per consumer and a pull-request description, as `gaggle consumers patch`",
       {},
       {{"repo", "string", "a path inside the consumers' git checkout, on the server's machine", true},
        {"branch", "string", "the branch to create (default gaggle/MIGRATION)"},
        {"replace_branch", "boolean", "replace the branch when it exists, never one checked out (default false)"},
        {"consumers", "string[]",
         "only these consumers (entity ids; default: every one with files in the repository)"}},
       "application/json",
       PatchConsumers});
}

}  // namespace gaggle::server
