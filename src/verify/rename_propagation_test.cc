// Rename propagation through the consumer graph (verify.output_names: propagate), end to
// end in the verifier on small files: a derived dataset whose rewritten query outputs the
// new name carries it to the consumers that read it, transitively in lineage order; each
// downstream query runs on views of the upstream consumer's old and rewritten query, and
// its patch follows the rename. Keep (the default) stops at the first consumer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "spec/migration_spec.h"
#include "verify/query_verifier.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

struct Node {
  std::string id;
  std::vector<std::string> queries;
  std::vector<std::string> reads;  // upstream ids
  bool component = false;
};

class RenamePropagationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-propagate-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "new" / "orders");
    std::ofstream(dir_ / "orders.jsonl") << "{\"user_id\": 1, \"amount\": 10.5, \"country\": \"DE\"}\n"
                                            "{\"user_id\": 2, \"amount\": 20.25, \"country\": \"FR\"}\n"
                                            "{\"user_id\": 1, \"amount\": 4.5, \"country\": \"DE\"}\n";
    std::ofstream(dir_ / "new" / "orders" / "part-0.jsonl")
        << "{\"account_id\": 1, \"amount\": 10.5, \"country\": \"DE\"}\n"
           "{\"account_id\": 2, \"amount\": 20.25, \"country\": \"FR\"}\n"
           "{\"account_id\": 1, \"amount\": 4.5, \"country\": \"DE\"}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  MigrationSpec Spec(const std::string& output_names) {
    auto spec = ParseMigrationSpec(
        "name: m\nversion: 2\ntransform:\n  rename: {user_id: account_id}\n"
        "  source_schema: {user_id: int64, amount: double, country: string}\n" +
            (output_names.empty() ? "" : "verify: {output_names: " + output_names + "}\n"),
        "m.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return *spec;
  }

  // `orders` (migrated) plus `nodes`: datasets with queries (derived) or components.
  Catalog MakeCatalog(const std::vector<Node>& nodes) {
    Catalog c;
    Entity orders;
    orders.id = orders.name = "orders";
    orders.uri = (dir_ / "orders.jsonl").string();
    orders.format = "jsonl";
    c.AddEntity(orders);
    for (const Node& n : nodes) {
      Entity e;
      e.kind = n.component ? EntityKind::kComponent : EntityKind::kDataset;
      e.id = n.id;
      e.name = n.component ? n.id.substr(n.id.find(':') + 1) : n.id;
      e.queries = n.queries;
      c.AddEntity(e);
      for (const std::string& r : n.reads) c.AddEdge(r, n.id);
    }
    Status st = c.Finalize();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return c;
  }

  Result<VerificationReport> Verify(const std::vector<Node>& nodes, const std::string& output_names = "propagate") {
    spec_ = Spec(output_names);
    catalog_ = MakeCatalog(nodes);
    QueryVerifierOptions o;
    o.sample = 0;
    o.threads = 1;
    QueryVerifier v(spec_, catalog_, o);
    return v.Verify({{"orders", (dir_ / "orders.jsonl").string(), (dir_ / "new" / "orders").string()}});
  }

  static const ConsumerPatch* PatchOf(const VerificationReport& r, const std::string& consumer) {
    for (const ConsumerPatch& p : r.patches) {
      if (p.consumer == consumer) return &p;
    }
    return nullptr;
  }
  static std::string Rewritten(const VerificationReport& r, const std::string& consumer, int index = 0) {
    for (const QueryCheck& c : r.checks) {
      if (c.consumer == consumer && c.query_index == index) return c.rewritten;
    }
    return "(no check of " + consumer + ")";
  }
  static void ExpectAllMatched(const VerificationReport& r) {
    for (const QueryCheck& c : r.checks) {
      EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMatched) << c.consumer << " #" << c.query_index << ": " << c.reason;
    }
  }

  fs::path dir_;
  MigrationSpec spec_;
  Catalog catalog_;
};

// source -> stg model -> mart model -> a dashboard's query.
std::vector<Node> Chain() {
  return {{"stg_orders", {"select user_id, amount from orders where amount > 0"}, {"orders"}},
          {"mart_users", {"select user_id, sum(amount) as total from stg_orders group by user_id"}, {"stg_orders"}},
          {"component:dashboard", {"select * from mart_users order by user_id"}, {"mart_users"}, true}};
}

TEST_F(RenamePropagationTest, AThreeLevelChainFollowsTheRenameAndVerifiesOnViewsOfEachLevel) {
  auto r = Verify(Chain());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 3u);
  ExpectAllMatched(*r);
  EXPECT_EQ(Rewritten(*r, "stg_orders"), "select account_id, amount from orders where amount > 0");
  EXPECT_EQ(Rewritten(*r, "mart_users"), "select account_id, sum(amount) as total from stg_orders group by account_id");
  EXPECT_EQ(Rewritten(*r, "component:dashboard"), "select * from mart_users order by account_id");
  // The downstream answers are real: the mart sums per user on both sides.
  for (const QueryCheck& c : r->checks) {
    if (c.consumer == "mart_users") {
      EXPECT_EQ(c.rows_old, 2);
    }
    if (c.consumer == "component:dashboard") {
      EXPECT_EQ(c.rows_new, 2);
      EXPECT_EQ(c.datasets, (std::vector<std::string>{"mart_users"}));
    }
  }
  ASSERT_EQ(r->patches.size(), 3u);
  EXPECT_EQ(r->patches[0].consumer, "component:dashboard");  // catalog order
  EXPECT_EQ(PatchOf(*r, "mart_users")->datasets, (std::vector<std::string>{"stg_orders"}));
  EXPECT_NE(PatchOf(*r, "mart_users")
                ->patch.find("+select account_id, sum(amount) as total from stg_orders group by "
                             "account_id"),
            std::string::npos)
      << PatchOf(*r, "mart_users")->patch;
}

TEST_F(RenamePropagationTest, KeepStopsAtTheFirstConsumerAndBothVerify) {
  auto keep = Verify(Chain(), "keep");
  ASSERT_TRUE(keep.ok()) << keep.status().ToString();
  ASSERT_EQ(keep->checks.size(), 1u);
  ExpectAllMatched(*keep);
  EXPECT_EQ(Rewritten(*keep, "stg_orders"), "select account_id AS user_id, amount from orders where amount > 0");
  EXPECT_EQ(keep->patches.size(), 1u);
  auto propagate = Verify(Chain(), "propagate");
  ASSERT_TRUE(propagate.ok()) << propagate.status().ToString();
  ExpectAllMatched(*propagate);
  EXPECT_EQ(propagate->patches.size(), 3u);
  EXPECT_NE(PatchOf(*keep, "stg_orders")->patch, PatchOf(*propagate, "stg_orders")->patch);
}

TEST_F(RenamePropagationTest, AConsumerReachedByTwoPathsGetsOnePatch) {
  auto r = Verify({{"stg_orders", {"select user_id, amount from orders"}, {"orders"}},
                   {"component:report",
                    {"select s.user_id, o.country, s.amount from stg_orders s join orders o on s.user_id = o.user_id "
                     "and s.amount = o.amount"},
                    {"orders", "stg_orders"},
                    true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectAllMatched(*r);
  EXPECT_EQ(Rewritten(*r, "component:report"),
            "select s.account_id, o.country, s.amount from stg_orders s join orders o on s.account_id = o.account_id "
            "and s.amount = o.amount");
  int report_patches = 0;
  for (const ConsumerPatch& p : r->patches) report_patches += p.consumer == "component:report";
  EXPECT_EQ(report_patches, 1);
  EXPECT_EQ(PatchOf(*r, "component:report")->datasets, (std::vector<std::string>{"orders", "stg_orders"}));
}

TEST_F(RenamePropagationTest, ADiamondMeetsInOneConsumer) {
  auto r = Verify({{"stg_a", {"select user_id, amount from orders"}, {"orders"}},
                   {"stg_b", {"select distinct user_id, country from orders"}, {"orders"}},
                   {"mart",
                    {"select a.user_id, b.country, a.amount from stg_a a join stg_b b using (user_id)"},
                    {"stg_a", "stg_b"}},
                   {"component:top", {"select user_id, count(*) as n from mart group by 1"}, {"mart"}, true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 4u);
  ExpectAllMatched(*r);
  EXPECT_EQ(Rewritten(*r, "mart"),
            "select a.account_id, b.country, a.amount from stg_a a join stg_b b using (account_id)");
  EXPECT_EQ(Rewritten(*r, "component:top"), "select account_id, count(*) as n from mart group by 1");
  for (const QueryCheck& c : r->checks) {
    if (c.consumer == "component:top") {
      EXPECT_EQ(c.rows_old, 2);
    }
  }
}

TEST_F(RenamePropagationTest, AWrongDownstreamAnswerIsCaught) {
  // The derived dataset's new side differs (a planted change in its rewrite's data): here,
  // the new data of orders loses a row, and the mart's answer shows it.
  std::ofstream(dir_ / "new" / "orders" / "part-0.jsonl") << "{\"account_id\": 1, \"amount\": 10.5, \"country\": "
                                                             "\"DE\"}\n{\"account_id\": 2, \"amount\": 20.25, "
                                                             "\"country\": \"FR\"}\n";
  auto r = Verify(Chain());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const QueryCheck& c : r->checks) {
    if (c.consumer == "mart_users") {
      EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMismatched) << c.reason;
    }
  }
}

TEST_F(RenamePropagationTest, ACycleIsAClearError) {
  auto r = Verify({{"stg_a", {"select user_id from orders"}, {"orders", "stg_b"}},
                   {"stg_b", {"select user_id from stg_a"}, {"stg_a"}}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no cycle"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("stg_a, stg_b"), std::string::npos) << r.status().ToString();
  // Keeping output names needs no order: the same catalog verifies.
  EXPECT_TRUE(Verify({{"stg_a", {"select user_id from orders"}, {"orders", "stg_b"}},
                      {"stg_b", {"select user_id from stg_a"}, {"stg_a"}}},
                     "keep")
                  .ok());
}

TEST_F(RenamePropagationTest, AnOutputThatCannotBeCarriedRefusesItsReaders) {
  // Two queries both change the dataset's output: which makes it is unknown.
  auto r = Verify({{"stg_orders", {"select user_id from orders", "select user_id, amount from orders"}, {"orders"}},
                   {"component:report", {"select user_id from stg_orders"}, {"stg_orders"}, true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  bool refused = false;
  for (const QueryCheck& c : r->checks) {
    if (c.consumer != "component:report") continue;
    refused = true;
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kRefused);
    EXPECT_NE(c.reason.find("cannot carry the renamed output columns of stg_orders"), std::string::npos) << c.reason;
  }
  EXPECT_TRUE(refused);
  // Two levels down: the reader of a consumer that is itself refused is refused too, with
  // the first cause, and is never rewritten to follow a rename its upstream does not make.
  r = Verify({{"stg_orders", {"select user_id from orders", "select user_id, amount from orders"}, {"orders"}},
              {"mart", {"select user_id, amount from stg_orders"}, {"stg_orders", "orders"}},
              {"component:report", {"select user_id from mart"}, {"mart"}, true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int refusals = 0;
  for (const QueryCheck& c : r->checks) {
    if (c.consumer == "stg_orders") continue;
    ++refusals;
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kRefused) << c.consumer;
    EXPECT_NE(c.reason.find("cannot carry the renamed output columns of stg_orders"), std::string::npos) << c.reason;
  }
  EXPECT_EQ(refusals, 2);
}

}  // namespace
}  // namespace gaggle
