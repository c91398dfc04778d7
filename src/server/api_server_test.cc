// The API's contract over HTTP: the role matrix on every route, strict bodies, limits,
// pagination, path traversal, the OpenAPI document and the event stream.
#include <set>
#include <thread>

#include "server/api_test_util.h"

namespace gaggle::server_test {
namespace {

// A concrete path for a route template.
std::string Concrete(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size();) {
    if (path[i] == '{') {
      const size_t close = path.find('}', i);
      const std::string name = path.substr(i + 1, close - i - 1);
      out += name == "migration" ? "m" : name == "dataset" ? "d0" : "x1";
      i = close + 1;
    } else {
      out += path[i++];
    }
  }
  return out;
}

httplib::Result Call(httplib::Client& c, const std::string& method, const std::string& path, const httplib::Headers& h,
                     const std::string& body = "{}") {
  if (method == "GET") return c.Get(path.c_str(), h);
  if (method == "POST") return c.Post(path.c_str(), h, body, "application/json");
  if (method == "PUT") return c.Put(path.c_str(), h, body, "application/json");
  return c.Delete(path.c_str(), h);
}

Role Needed(server::Access a) {
  return a == server::Access::kAdmin ? Role::kAdmin : a == server::Access::kOperator ? Role::kOperator : Role::kViewer;
}

TEST_P(ApiServerBackendTest, RoleMatrixOnEveryRoute) {
  MakeMigration(3);
  StartServer();
  auto c = Client();
  for (const server::Route& r : server_->routes()) {
    if (r.produces == "text/event-stream") continue;  // the stream has its own test
    const std::string path = Concrete(r.path);
    SCOPED_TRACE(r.method + " " + path);
    if (r.access == server::Access::kPublic) {
      auto res = Call(c, r.method, path, {});
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
      continue;
    }
    // No token, a bad token, and too small a role: refused, and nothing changes.
    const int64_t before = LastSeq();
    auto none = Call(c, r.method, path, {});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    auto bad = Call(c, r.method, path, {{"Authorization", "Bearer ggl_" + std::string(40, '0')}});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401);
    for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      auto res = Call(c, r.method, path, Auth(role));
      ASSERT_TRUE(res);
      if (!service::RoleAllows(role, Needed(r.access))) {
        EXPECT_EQ(res->status, 403) << RoleName(role) << ": " << res->body;
        EXPECT_EQ(LastSeq(), before) << RoleName(role) << " changed something";
      } else {
        EXPECT_NE(res->status, 401) << RoleName(role);
        EXPECT_NE(res->status, 403) << RoleName(role) << ": " << res->body;
        EXPECT_LT(res->status, 500) << RoleName(role) << ": " << res->body;
      }
    }
  }
}

TEST_F(ApiServerTest, BadJsonUnknownFieldsAndWrongTypesNameTheField) {
  MakeMigration(2);
  StartServer();
  auto c = Client();
  const auto op = Auth(Role::kOperator);
  auto bad = c.Post("/api/v1/migrations/m/pause", op, "{\"reason\": ", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("invalid JSON"), std::string::npos) << bad->body;
  auto array = c.Post("/api/v1/migrations/m/pause", op, "[1]", "application/json");
  ASSERT_TRUE(array);
  EXPECT_EQ(array->status, 400);
  auto unknown = c.Post("/api/v1/migrations/m/pause", op, R"({"reason":"x","reasn":"y"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("reasn: unknown field"), std::string::npos) << unknown->body;
  auto type = c.Put("/api/v1/migrations/m/concurrency", op, R"({"concurrency":"8"})", "application/json");
  ASSERT_TRUE(type);
  EXPECT_EQ(type->status, 400);
  EXPECT_NE(type->body.find("concurrency: expected an integer"), std::string::npos) << type->body;
  auto range = c.Put("/api/v1/migrations/m/concurrency", op, R"({"concurrency":0})", "application/json");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->status, 400);
  auto nested = c.Post("/api/v1/migrations/m/bulk", op, R"({"action":"pause","reason":"r","filter":{"stat":[]}})",
                       "application/json");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->status, 400);
  EXPECT_NE(nested->body.find("filter.stat: unknown field"), std::string::npos) << nested->body;
  auto query = c.Get("/api/v1/migrations/m/tasks?limt=5", op);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 400);
  EXPECT_NE(query->body.find("limt"), std::string::npos);
  // None of it changed the run.
  auto run = store_->FindRun("m");
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->state, RunState::kRunning);
  EXPECT_EQ((*run)->concurrency, 2);
}

TEST_F(ApiServerTest, OversizedBodiesAreRefused) {
  MakeMigration(1);
  server::ServeOptions o;
  o.max_body_bytes = 4096;
  StartServer(o);
  auto c = Client();
  const std::string big = "{\"reason\":\"" + std::string(8192, 'x') + "\"}";
  auto res = c.Post("/api/v1/migrations/m/pause", Auth(Role::kOperator), big, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  auto run = store_->FindRun("m");
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->state, RunState::kRunning);
}

TEST_P(ApiServerBackendTest, TaskPagesAreLimitedAndWalkEverything) {
  MakeMigration(250);
  StartServer();
  auto c = Client();
  const auto v = Auth(Role::kViewer);
  for (const char* bad : {"limit=0", "limit=1001", "limit=abc", "after=zz", "state=bogus", "stage=-5"}) {
    auto res = c.Get((std::string("/api/v1/migrations/m/tasks?") + bad).c_str(), v);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad << ": " << res->body;
  }
  std::set<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    std::string path = "/api/v1/migrations/m/tasks?limit=100" + (after.empty() ? "" : "&after=" + after);
    auto res = c.Get(path.c_str(), v);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    auto j = nlohmann::json::parse(res->body);
    EXPECT_LE(j["items"].size(), 100u);
    for (const auto& t : j["items"]) seen.insert(t["dataset"].get<std::string>());
    if (j["next"].is_null()) break;
    after = j["next"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 250u);
  auto filtered = c.Get("/api/v1/migrations/m/tasks?q=d24&limit=10", v);
  ASSERT_TRUE(filtered);
  auto j = nlohmann::json::parse(filtered->body);
  EXPECT_EQ(j["items"].size(), 10u);  // d24 and d240..d249 match: 11, in pages of 10
  EXPECT_TRUE(j["more"].get<bool>());
}

TEST_F(ApiServerTest, StaticFilesAreSafeFromPathTraversal) {
  StartServer();
  auto c = Client();
  for (const char* p :
       {"/../../../../etc/passwd", "/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..%5c..%5cetc%5cpasswd", "/index.html/../../x.db", "/gaggle.db"}) {
    auto res = c.Get(p);
    ASSERT_TRUE(res) << p;
    EXPECT_EQ(res->body.find("root:"), std::string::npos) << p;
    EXPECT_EQ(res->body.find("SQLite format"), std::string::npos) << p;
    EXPECT_TRUE(res->status == 404 || res->status == 400) << p << " -> " << res->status;
  }
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<html"), std::string::npos);
}

TEST_F(ApiServerTest, OpenApiDocumentsEveryRouteAndEveryDocumentedRouteIsServed) {
  MakeMigration(1);
  StartServer();
  auto c = Client();
  auto res = c.Get("/api/v1/openapi.json", Auth(Role::kViewer));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto doc = nlohmann::json::parse(res->body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> documented;
  for (auto& [path, ops] : doc["paths"].items()) {
    for (auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + path);
      if (op.contains("requestBody")) {
        EXPECT_EQ(op["requestBody"]["content"]["application/json"]["schema"]["additionalProperties"], false);
      }
      if (m == "GET" && path == "/api/v1/events/stream") continue;
      auto served = Call(c, m, Concrete(path), Auth(Role::kAdmin));
      ASSERT_TRUE(served) << m << " " << path;
      EXPECT_NE(served->status, 405) << m << " " << path;
      EXPECT_EQ(served->body.find("RouteNotFound"), std::string::npos) << m << " " << path;
    }
  }
  std::set<std::string> routes;
  for (const server::Route& r : server_->routes()) {
    std::string p = r.path;
    for (size_t i = p.find("+}"); i != std::string::npos; i = p.find("+}")) p.erase(i, 1);
    routes.insert(r.method + " " + p);
  }
  EXPECT_EQ(documented, routes);
  EXPECT_GE(routes.size(), 30u);
  // And an undocumented path is not served.
  auto none = c.Get("/api/v1/nothing-here", Auth(Role::kAdmin));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
}

TEST_P(ApiServerBackendTest, MutationsRecordTheTokensNameAsTheActor) {
  MakeMigration(3);
  StartServer();
  auto c = Client();
  auto res = c.Post("/api/v1/migrations/m/pause", Auth(Role::kOperator), R"({"reason":"maintenance window"})",
                    "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EventFilter f;
  f.migration = "m";
  auto events = store_->ListEvents(f);
  ASSERT_TRUE(events.ok() && !events->empty());
  EXPECT_EQ(events->back().actor, "operator-olga");
  EXPECT_EQ(events->back().to_state, "paused");
  auto status = c.Get("/api/v1/migrations/m", Auth(Role::kViewer));
  ASSERT_TRUE(status);
  EXPECT_EQ(nlohmann::json::parse(status->body)["state"], "paused");
}

TEST_P(ApiServerBackendTest, TokensOverTheApiShowTheirSecretOnceAndRevokedTokensStopWorking) {
  StartServer();
  auto c = Client();
  auto created =
      c.Post("/api/v1/tokens", Auth(Role::kAdmin), R"({"name":"backstage","role":"viewer"})", "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const auto j = nlohmann::json::parse(created->body);
  const std::string secret = j["token"];
  auto who = c.Get("/api/v1/whoami", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(who);
  EXPECT_EQ(nlohmann::json::parse(who->body)["name"], "backstage");
  auto list = c.Get("/api/v1/tokens", Auth(Role::kAdmin));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body.find(secret), std::string::npos);
  auto revoked = c.Delete("/api/v1/tokens/backstage", Auth(Role::kAdmin));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200);
  auto after = c.Get("/api/v1/whoami", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  auto bad_role = c.Post("/api/v1/tokens", Auth(Role::kAdmin), R"({"name":"x","role":"root"})", "application/json");
  ASSERT_TRUE(bad_role);
  EXPECT_EQ(bad_role->status, 400);
  EXPECT_NE(bad_role->body.find("role:"), std::string::npos);
}

TEST_P(ApiServerBackendTest, EventStreamDeliversNewEventsAndResumesFromLastEventId) {
  MakeMigration(2);
  StartServer();
  std::string received;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    httplib::Client sc("127.0.0.1", server_->port());
    sc.set_read_timeout(5, 0);
    sc.Get("/api/v1/events/stream?migration=m", Auth(Role::kViewer), [&](const char* data, size_t n) {
      received.append(data, n);
      return !stop.load() && received.find("\"to\":\"paused\"") == std::string::npos;
    });
  });
  // Wait for the stream to be open before changing anything.
  for (int i = 0; i < 100 && server_->metrics().sse_clients() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int64_t before = LastSeq();
  auto c = Client();
  ASSERT_TRUE(c.Post("/api/v1/migrations/m/pause", Auth(Role::kOperator), "{}", "application/json"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline && received.find("\"to\":\"paused\"") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  reader.join();
  EXPECT_NE(received.find("id: "), std::string::npos) << received;
  EXPECT_NE(received.find("\"to\":\"paused\""), std::string::npos) << received;
  // Resuming after the event before the pause replays the pause.
  std::string replay;
  httplib::Client rc("127.0.0.1", server_->port());
  rc.set_read_timeout(5, 0);
  httplib::Headers h = Auth(Role::kViewer);
  h.emplace("Last-Event-ID", std::to_string(before));
  rc.Get("/api/v1/events/stream", h, [&](const char* data, size_t n) {
    replay.append(data, n);
    return replay.find("\"to\":\"paused\"") == std::string::npos;
  });
  EXPECT_NE(replay.find("id: " + std::to_string(before + 1)), std::string::npos) << replay;
}

TEST_P(ApiServerBackendTest, HealthzAndReadyzAreOpenMetricsNeedsAToken) {
  MakeMigration(3);
  StartServer();
  auto c = Client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = c.Get("/readyz");  // as a Kubernetes readiness probe asks: without a token
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(nlohmann::json::parse(ready->body)["ready"], true);
  auto anonymous_metrics = c.Get("/metrics");
  ASSERT_TRUE(anonymous_metrics);
  EXPECT_EQ(anonymous_metrics->status, 401);
  auto metrics = c.Get("/metrics", Auth(Role::kViewer));
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("gaggle_tasks{migration=\"m\",stage=\"0\",state=\"pending\"} 3"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("gaggle_queue_depth{migration=\"m\"} 3"), std::string::npos);
  EXPECT_NE(metrics->body.find("# TYPE gaggle_attempt_duration_seconds histogram"), std::string::npos);
}

// The contract on both backends of the state (the server opens a PostgreSQL state's
// control store in the same database).
INSTANTIATE_TEST_SUITE_P(store, ApiServerBackendTest, ::testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace gaggle::server_test
