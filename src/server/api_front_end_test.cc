// What front ends over a service token (the Backstage plugins) rely on: a create that is
// safe to retry with an idempotency key, and the user it acts for named in the event log.
#include <nlohmann/json.hpp>

#include "server/api_test_util.h"

namespace gaggle::server_test {
namespace {

constexpr const char* kCatalog =
    "gaggle_catalog: 1\n"
    "datasets:\n"
    "  - id: sales.orders\n"
    "    uri: file:///lake/orders.avro\n"
    "    format: avro\n"
    "    owner: team-sales\n";

constexpr const char* kSpec =
    "name: orders-v2\n"
    "version: 2\n"
    "select: {ids: [sales.orders]}\n"
    "target: {format: parquet, uri: \"file:///v2/{id}/\"}\n";

nlohmann::json Body(const httplib::Result& r) { return nlohmann::json::parse(r->body); }

std::string CreateBody(const std::string& spec, const std::string& key) {
  nlohmann::json j = {{"spec", spec}};
  if (!key.empty()) j["idempotency_key"] = key;
  return j.dump();
}

TEST_F(ApiServerTest, ACreateRetriedWithItsIdempotencyKeyReturnsTheFirstMigration) {
  StartServer();
  auto c = Client();
  auto imported = c.Post("/api/v1/catalog/import", Auth(Role::kAdmin),
                         nlohmann::json{{"name", "c.yaml"}, {"text", kCatalog}}.dump(), "application/json");
  ASSERT_TRUE(imported);
  ASSERT_EQ(imported->status, 200) << imported->body;

  auto first = c.Post("/api/v1/migrations", Auth(Role::kAdmin), CreateBody(kSpec, "task-7:create"), "application/json");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(Body(first)["existing"], false);
  EXPECT_EQ(Body(first)["datasets"], 1);
  const int64_t seq = LastSeq();

  // The retry (a scaffolder task recovered after the first call went through).
  auto again = c.Post("/api/v1/migrations", Auth(Role::kAdmin), CreateBody(kSpec, "task-7:create"), "application/json");
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(Body(again)["existing"], true);
  EXPECT_EQ(Body(again)["migration"], "orders-v2");
  EXPECT_EQ(Body(again)["plan"], Body(first)["plan"]);
  EXPECT_EQ(Body(again)["datasets"], 1);
  EXPECT_EQ(Body(again)["state"], "paused");
  EXPECT_EQ(LastSeq(), seq) << "a retried create changes nothing";

  // Another key, no key, or the same key with another spec: the name is taken.
  std::string other = kSpec;
  other.replace(other.find("file:///v2/"), 11, "file:///v3/");
  for (auto [spec, key] :
       {std::pair{std::string(kSpec), std::string("task-8:create")}, std::pair{std::string(kSpec), std::string()},
        std::pair{other, std::string("task-7:create")}}) {
    auto refused = c.Post("/api/v1/migrations", Auth(Role::kAdmin), CreateBody(spec, key), "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409) << key << " " << refused->body;
    EXPECT_NE(refused->body.find("orders-v2"), std::string::npos) << refused->body;
  }
  EXPECT_EQ(LastSeq(), seq);

  // A key outside the allowed characters is named in the error.
  auto bad = c.Post("/api/v1/migrations", Auth(Role::kAdmin), CreateBody(kSpec, "a b"), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("idempotency_key"), std::string::npos) << bad->body;

  // Starting on a retry starts a migration that was never started, once.
  auto started = c.Post("/api/v1/migrations", Auth(Role::kAdmin),
                        nlohmann::json{{"spec", kSpec}, {"idempotency_key", "task-7:create"}, {"start", true}}.dump(),
                        "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 200) << started->body;
  EXPECT_EQ(Body(started)["started"], true);
  EXPECT_EQ(Body(started)["state"], "running");
}

TEST_F(ApiServerTest, TheUserAFrontEndActsForIsRecordedBesideTheTokensName) {
  MakeMigration(3);
  StartServer();
  auto c = Client();
  httplib::Headers h = Auth(Role::kOperator);
  h.emplace("X-Gaggle-On-Behalf-Of", "user:default/alice");
  auto res = c.Post("/api/v1/migrations/m/pause", h, R"({"reason":"from Backstage"})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EventFilter f;
  f.migration = "m";
  auto events = store_->ListEvents(f);
  ASSERT_TRUE(events.ok() && !events->empty());
  EXPECT_EQ(events->back().actor, "operator-olga for user:default/alice");

  // A value that is not one printable word is refused, and nothing changes.
  const int64_t seq = LastSeq();
  for (std::string v : {std::string("alice smith"), std::string(300, 'a')}) {
    httplib::Headers bad = Auth(Role::kOperator);
    bad.emplace("X-Gaggle-On-Behalf-Of", v);
    auto refused = c.Post("/api/v1/migrations/m/resume", bad, "{}", "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << refused->body;
    EXPECT_NE(refused->body.find("X-Gaggle-On-Behalf-Of"), std::string::npos) << refused->body;
  }
  EXPECT_EQ(LastSeq(), seq);
}

}  // namespace
}  // namespace gaggle::server_test
