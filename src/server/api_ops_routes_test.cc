// The CLI's remaining state operations over HTTP (api_ops_routes.cc): catalog import
// from the body, its history, the export inline, logs, the event chain's verification
// downstream verification and the consumers' repositories patched as a branch. Each goes through the service function
// the CLI calls.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <tuple>

#include "fleet/run_log.h"
#include "server/api_test_util.h"
#include "service/service_context.h"

namespace gaggle::server_test {
namespace {

nlohmann::json Body(const httplib::Result& r) { return nlohmann::json::parse(r->body); }

constexpr const char* kCatalog =
    "gaggle_catalog: 1\n"
    "datasets:\n"
    "  - id: sales.orders\n"
    "    uri: file:///lake/orders.avro\n"
    "    format: avro\n"
    "    owner: team-sales\n"
    "    tier: low\n"
    "  - id: sales.daily\n"
    "    uri: file:///lake/daily.avro\n"
    "    format: avro\n"
    "    owner: team-sales\n"
    "    upstream: [sales.orders]\n";

std::string ImportBody(const std::string& text) {
  return nlohmann::json{{"name", "sales.yaml"}, {"text", text}}.dump();
}

TEST_F(ApiServerTest, CatalogImportFromTheBodyIsAuditedInTheHistoryAndAllOrNothing) {
  StartServer();
  auto c = Client();
  auto r = c.Post("/api/v1/catalog/import", Auth(Role::kAdmin), ImportBody(kCatalog), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["datasets"], 2);
  EXPECT_EQ(Body(r)["added"], nlohmann::json({"sales.daily", "sales.orders"}));

  auto list = c.Get("/api/v1/catalog/entities?kind=dataset", Auth(Role::kViewer));
  ASSERT_TRUE(list);
  ASSERT_EQ(Body(list)["items"].size(), 2u) << list->body;
  EXPECT_EQ(Body(list)["items"][0]["id"], "sales.daily");

  auto history = c.Get("/api/v1/catalog/history?ids=true", Auth(Role::kViewer));
  ASSERT_TRUE(history);
  ASSERT_EQ(history->status, 200) << history->body;
  const auto first = Body(history)["items"][0];
  EXPECT_EQ(first["actor"], "admin-ada");
  EXPECT_EQ(first["source"], "api:sales.yaml");

  // A catalog with a dangling reference is refused whole, naming the problem; the
  // catalog and its history stay as they were.
  std::string bad = kCatalog;
  bad.replace(bad.find("upstream: [sales.orders]"), 24, "upstream: [sales.nowhere]");
  auto refused = c.Post("/api/v1/catalog/import", Auth(Role::kAdmin), ImportBody(bad), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_NE(refused->body.find("sales.nowhere"), std::string::npos) << refused->body;
  auto after = c.Get("/api/v1/catalog/history", Auth(Role::kViewer));
  ASSERT_TRUE(after);
  EXPECT_EQ(Body(after)["items"].size(), 1u);

  // Fields are checked like every body's.
  auto unknown =
      c.Post("/api/v1/catalog/import", Auth(Role::kAdmin), R"({"text":"x","path":"/etc"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("path"), std::string::npos) << unknown->body;
}

TEST_F(ApiServerTest, CatalogExportReturnsTheBackstageDescriptorsInline) {
  StartServer();
  auto c = Client();
  auto empty = c.Get("/api/v1/catalog/export", Auth(Role::kViewer));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 404) << empty->body;
  ASSERT_EQ(c.Post("/api/v1/catalog/import", Auth(Role::kAdmin), ImportBody(kCatalog), "application/json")->status,
            200);
  auto r = c.Get("/api/v1/catalog/export", Auth(Role::kViewer));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto j = Body(r);
  EXPECT_EQ(j["datasets"], 2);
  EXPECT_FALSE(j.contains("dir"));  // the server's scratch folder is not shown (and is gone)
  bool location = false, orders = false;
  for (const auto& f : j["files"]) {
    const std::string path = f["path"], text = f["text"];
    EXPECT_EQ(path.find(".."), std::string::npos) << path;
    location |= path == "catalog-info.yaml" && text.find("kind: Location") != std::string::npos;
    orders |= text.find("name: orders") != std::string::npos || text.find("sales.orders") != std::string::npos;
  }
  EXPECT_TRUE(location) << r->body;
  EXPECT_TRUE(orders) << r->body;
}

TEST_F(ApiServerTest, LogsOfAMigrationAndOfADataset) {
  MakeMigration(2);
  StartServer();
  auto c = Client();
  auto missing = c.Get("/api/v1/migrations/m/logs", Auth(Role::kViewer));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;

  const std::string artifacts = service::DefaultArtifactsDir(state_);
  {
    auto log = RunLog::Open(artifacts, "m");  // the task line goes to the shared segments
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Task("d0", "info", "attempt-started");
  }
  {
    std::ofstream run(RunLog::RunLogPathFor(artifacts, "m"), std::ios::trunc);
    for (int i = 0; i < 5; ++i) run << nlohmann::json{{"event", "line-" + std::to_string(i)}}.dump() << "\n";
    run << "{torn";  // a last line cut by a crash is sent as text
    std::ofstream agent(RunLog::AgentLogPathFor(artifacts, "m", "d0"));
    agent << "agent says hello\n";
  }
  auto run = c.Get("/api/v1/migrations/m/logs?tail=3", Auth(Role::kViewer));
  ASSERT_TRUE(run);
  ASSERT_EQ(run->status, 200) << run->body;
  const auto items = Body(run)["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]["entry"]["event"], "line-3");
  EXPECT_EQ(items[2]["text"], "{torn");

  auto ds = c.Get("/api/v1/migrations/m/logs?dataset=d0", Auth(Role::kViewer));
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->status, 200) << ds->body;
  const auto d = Body(ds)["items"];
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]["source"], "task");
  EXPECT_EQ(d[0]["entry"]["event"], "attempt-started");
  EXPECT_EQ(d[1]["source"], "agent");
  EXPECT_EQ(d[1]["text"], "agent says hello");

  // Names are file-name safe: a traversal attempt finds no log rather than another file.
  auto sneaky = c.Get("/api/v1/migrations/m/logs?dataset=..%2F..%2F..%2Fgaggle", Auth(Role::kViewer));
  ASSERT_TRUE(sneaky);
  EXPECT_EQ(sneaky->status, 404) << sneaky->body;
  auto limit = c.Get("/api/v1/migrations/m/logs?tail=100000", Auth(Role::kViewer));
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->status, 400);
  EXPECT_NE(limit->body.find("tail"), std::string::npos);
}

TEST_F(ApiServerTest, EventChainVerifiesOverHttp) {
  MakeMigration(2);
  StartServer();
  auto c = Client();
  ASSERT_EQ(
      c.Post("/api/v1/migrations/m/pause", Auth(Role::kOperator), R"({"reason":"look"})", "application/json")->status,
      200);
  auto r = c.Get("/api/v1/events/verify", Auth(Role::kViewer));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["intact"], true) << r->body;
  EXPECT_GE(Body(r)["events"].get<int64_t>(), 2);
}

TEST_F(ApiServerTest, DownstreamVerificationIsTheCliOperationWithItsErrors) {
  MakeMigration(2);
  StartServer();
  auto c = Client();
  // The run's spec file does not exist here: a clear error naming it, not a 500.
  auto r = c.Post("/api/v1/migrations/m/verify", Auth(Role::kAdmin), R"({"sample":3})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400) << r->body;
  EXPECT_LT(r->status, 500) << r->body;
  EXPECT_NE(r->body.find("m.yaml"), std::string::npos) << r->body;
  auto bad = c.Post("/api/v1/migrations/m/verify", Auth(Role::kAdmin), R"({"sample":0})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("sample"), std::string::npos) << bad->body;
}

// `gaggle consumers patch` over HTTP: a real git repository gets the branch, the answer
// carries its commits and the pull-request description; only admins may, and the body is
// checked like every other.
TEST_F(ApiServerTest, ConsumersPatchMakesTheBranchOverHttp) {
  ASSERT_EQ(std::system("command -v git > /dev/null 2>&1"), 0);
  const std::string d = dir_.string();
  std::filesystem::create_directories(dir_ / "repo" / "sql");
  std::filesystem::create_directories(dir_ / "new" / "d0");
  std::ofstream(dir_ / "old.jsonl") << "{\"user_id\": 1, \"amount\": 2.5}\n{\"user_id\": 2, \"amount\": 4.0}\n";
  std::ofstream(dir_ / "new" / "d0" / "part-0.jsonl")
      << "{\"account_id\": 1, \"amount\": 2.5}\n{\"account_id\": 2, \"amount\": 4.0}\n";
  std::ofstream(dir_ / "m.yaml") << "name: m\nversion: 2\ntransform:\n  rename: {user_id: account_id}\n";
  std::ofstream(dir_ / "repo" / "sql" / "app.sql")
      << "-- totals\nSELECT user_id, SUM(amount) AS total FROM d0 GROUP BY 1\n";
  ASSERT_EQ(std::system(("cd '" + d + "/repo' && git init -q -b main . && git add -A && " +
                         "git -c user.email=t@example.com -c user.name=t commit -qm base")
                            .c_str()),
            0);
  Plan p = service_test::PendingPlan(1);
  p.rows[0].source_uri = "file://" + d + "/old.jsonl";
  p.rows[0].source_format = "jsonl";
  p.rows[0].target_uri = "file://" + d + "/new/d0";
  ASSERT_TRUE(store_->SavePlan(p).ok());
  ASSERT_TRUE(store_->UpsertRun(p, d + "/m.yaml", 2, "setup").ok());
  for (TaskState to : {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated}) {
    auto t = store_->FindTask("m", "d0");
    ASSERT_TRUE(t.ok() && t->has_value());
    TaskRecord rec = **t;
    const TaskState from = rec.state;
    rec.state = to;
    if (to == TaskState::kRunning) ++rec.attempts;
    ASSERT_TRUE(store_->TransitionTask(from, rec, "runner", "").ok());
  }
  StartServer();
  auto c = Client();
  const std::string catalog = "gaggle_catalog: 1\ndatasets:\n  - id: d0\n    uri: file://" + d +
                              "/old.jsonl\n    format: jsonl\nconsumers:\n  - id: app\n    upstream: [d0]\n"
                              "    queries: \"SELECT user_id, SUM(amount) AS total FROM d0 GROUP BY 1\"\n"
                              "    annotations: {gaggle.dev/queries-path: sql/app.sql}\n";
  ASSERT_EQ(c.Post("/api/v1/catalog/import", Auth(Role::kAdmin), ImportBody(catalog), "application/json")->status, 200);
  const std::string body = nlohmann::json{{"repo", d + "/repo"}, {"consumers", {"component:app"}}}.dump();
  // Writing to a repository is an admin's.
  auto denied = c.Post("/api/v1/migrations/m/consumers/patch", Auth(Role::kOperator), body, "application/json");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403) << denied->body;
  auto bad =
      c.Post("/api/v1/migrations/m/consumers/patch", Auth(Role::kAdmin), R"({"branch":"x"})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("repo"), std::string::npos) << bad->body;
  auto stray = c.Post("/api/v1/migrations/m/consumers/patch", Auth(Role::kAdmin),
                      nlohmann::json{{"repo", d + "/repo"}, {"description", "/tmp/x.md"}}.dump(), "application/json");
  ASSERT_TRUE(stray);
  EXPECT_EQ(stray->status, 400) << stray->body;
  auto r = c.Post("/api/v1/migrations/m/consumers/patch", Auth(Role::kAdmin), body, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json j = Body(r);
  EXPECT_EQ(j["branch"], "gaggle/m");
  EXPECT_EQ(j["commits"], 1);
  ASSERT_EQ(j["consumers"].size(), 1u);
  EXPECT_EQ(j["consumers"][0]["consumer"], "component:app");
  EXPECT_EQ(j["consumers"][0]["files"][0]["path"], "sql/app.sql");
  EXPECT_NE(j["description"].get<std::string>().find("SELECT account_id AS user_id, SUM(amount) AS total FROM d0"),
            std::string::npos)
      << j["description"];
  // The branch is in the repository, with the rewritten file.
  ASSERT_EQ(std::system(("cd '" + d + "/repo' && git show gaggle/m:sql/app.sql > ../app.new").c_str()), 0);
  std::ifstream in(dir_ / "app.new");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "-- totals\nSELECT account_id AS user_id, SUM(amount) AS total FROM d0 GROUP BY 1\n");
  // Again: the branch exists, a conflict named as such.
  auto again = c.Post("/api/v1/migrations/m/consumers/patch", Auth(Role::kAdmin), body, "application/json");
  ASSERT_TRUE(again);
  EXPECT_GE(again->status, 400);
  EXPECT_LT(again->status, 500);
  EXPECT_NE(again->body.find("already exists"), std::string::npos) << again->body;
}

// Every CLI command that works on the state has its route. The file tools (inspect,
// convert, generate, generate-estate, validate, transform, archive verify) work on
// local files and stay local; `serve` is the server itself.
TEST_F(ApiServerTest, EveryStateCommandOfTheCliHasARoute) {
  StartServer();
  const std::vector<std::tuple<std::string, std::string, std::string>> table = {
      {"catalog import", "POST", "/api/v1/catalog/import"},
      {"catalog list", "GET", "/api/v1/catalog/entities"},
      {"catalog show", "GET", "/api/v1/catalog/entities/{id+}"},
      {"catalog graph", "GET", "/api/v1/catalog/lineage/{id+}"},
      {"catalog export", "GET", "/api/v1/catalog/export"},
      {"catalog history", "GET", "/api/v1/catalog/history"},
      {"plan", "POST", "/api/v1/migrations"},
      {"plan --dry-run", "POST", "/api/v1/plans/preview"},
      {"run", "POST", "/api/v1/migrations/{migration}/start"},
      {"pause", "POST", "/api/v1/migrations/{migration}/pause"},
      {"resume", "POST", "/api/v1/migrations/{migration}/resume"},
      {"cancel", "POST", "/api/v1/migrations/{migration}/cancel"},
      {"fleet set", "PUT", "/api/v1/migrations/{migration}/concurrency"},
      {"status", "GET", "/api/v1/migrations"},
      {"status MIGRATION", "GET", "/api/v1/migrations/{migration}"},
      {"logs", "GET", "/api/v1/migrations/{migration}/logs"},
      {"events", "GET", "/api/v1/events"},
      {"events --verify", "GET", "/api/v1/events/verify"},
      {"approve", "POST", "/api/v1/migrations/{migration}/approve"},
      {"rollback", "POST", "/api/v1/migrations/{migration}/rollback"},
      {"verify", "POST", "/api/v1/migrations/{migration}/verify"},
      {"consumers patch", "POST", "/api/v1/migrations/{migration}/consumers/patch"},
      {"gc", "POST", "/api/v1/gc"},
      {"archive", "GET", "/api/v1/migrations/{migration}/archive"},
      {"report", "GET", "/api/v1/migrations/{migration}/report"},
      {"token create", "POST", "/api/v1/tokens"},
      {"token list", "GET", "/api/v1/tokens"},
      {"token revoke", "DELETE", "/api/v1/tokens/{token}"},
  };
  for (const auto& [command, method, path] : table) {
    bool found = false;
    for (const server::Route& r : server_->routes()) found |= r.method == method && r.path == path;
    EXPECT_TRUE(found) << "gaggle " << command << ": no route " << method << " " << path;
  }
}

}  // namespace
}  // namespace gaggle::server_test
