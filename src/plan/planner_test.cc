#include "plan/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "plan/selection.h"
#include "plan/target_template.h"

namespace gaggle {
namespace {

struct Ds {
  std::string id;
  Tier tier = Tier::kStandard;
};

Catalog MakeCatalog(const std::vector<Ds>& datasets, const std::vector<std::pair<std::string, std::string>>& edges,
                    const std::vector<std::string>& consumers = {}) {
  Catalog c;
  for (const Ds& d : datasets) {
    Entity e;
    e.kind = EntityKind::kDataset;
    e.id = e.name = d.id;
    e.uri = "file:///lake/" + d.id;
    e.format = "avro";
    e.tier = d.tier;
    e.size_bytes = 100;
    c.AddEntity(std::move(e));
  }
  for (const std::string& name : consumers) {
    Entity e;
    e.kind = EntityKind::kComponent;
    e.name = name;
    e.id = "component:" + name;
    c.AddEntity(std::move(e));
  }
  for (const auto& [u, d] : edges) c.AddEdge(u, d);
  Status st = c.Finalize();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

MigrationSpec Spec(std::vector<double> stages = {100}) {
  MigrationSpec s;
  s.name = "to-parquet";
  s.version = 2;
  s.hash = "spec-hash";
  s.select.id_pattern = "*";
  s.rollout.stages = std::move(stages);
  s.rollout.canary_tiers = {"low"};
  s.target.uri_template = "file:///v2/{id}/";
  return s;
}

std::map<std::string, PlanRow> ByDataset(const Plan& p) {
  std::map<std::string, PlanRow> m;
  for (const PlanRow& r : p.rows) m[r.dataset_id] = r;
  return m;
}

TEST(PlannerTest, PriorityInsideAWaveIsTierThenBlastRadius) {
  // Wave 0: crit (2 downstream), std_big (3), std_small (1), low (0).
  Catalog c = MakeCatalog(
      {{"crit", Tier::kCritical}, {"std_big"}, {"std_small"}, {"low", Tier::kLow}, {"x1"}, {"x2"}, {"x3"}},
      {{"crit", "x1"}, {"crit", "x2"}, {"std_big", "x1"}, {"std_big", "x2"}, {"std_big", "x3"}, {"std_small", "x3"}});
  MigrationSpec spec = Spec();
  spec.select.id_pattern.reset();
  spec.select.ids = {"crit", "std_big", "std_small", "low"};
  auto plan = BuildPlan(c, spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<std::string> order;
  for (const PlanRow& r : plan->rows) order.push_back(r.dataset_id);
  EXPECT_EQ(order, (std::vector<std::string>{"crit", "std_big", "std_small", "low"}));
  auto rows = ByDataset(*plan);
  EXPECT_EQ(rows["std_big"].blast_radius, 3u);
  EXPECT_EQ(rows["std_big"].priority, 2);
  EXPECT_TRUE(rows["std_big"].blast_radius_exact);
  EXPECT_EQ(rows["low"].priority, 4);
}

TEST(PlannerTest, CycleThroughSelectedDatasetsIsAnErrorThatPrintsIt) {
  Catalog c = MakeCatalog({{"a"}, {"b"}, {"c"}, {"d"}}, {{"a", "b"}, {"b", "c"}, {"c", "a"}, {"c", "d"}});
  auto plan = BuildPlan(c, Spec());
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("a -> b -> c -> a"), std::string::npos) << plan.status().message();
}

TEST(PlannerTest, CycleOutsideTheSelectionIsTolerated) {
  Catalog c = MakeCatalog({{"a"}, {"x"}, {"y"}}, {{"x", "y"}, {"y", "x"}, {"y", "a"}});
  MigrationSpec spec = Spec();
  spec.select.id_pattern.reset();
  spec.select.ids = {"a"};
  auto plan = BuildPlan(c, spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->rows.size(), 1u);
  EXPECT_EQ(plan->rows[0].wave, 0);
}

// A random estate: layered DAG, tiers mixed, some consumers.
Catalog RandomEstate(uint32_t n, uint32_t seed, std::vector<std::string>* order_out = nullptr) {
  std::mt19937 rng(seed);
  std::vector<Ds> ds;
  std::vector<std::pair<std::string, std::string>> edges;
  auto name = [](uint32_t i) { return "ds" + std::to_string(10000 + i); };
  for (uint32_t i = 0; i < n; ++i) {
    Tier t = (rng() % 3 == 0) ? Tier::kLow : (rng() % 4 == 0) ? Tier::kCritical : Tier::kStandard;
    ds.push_back({name(i), t});
    if (i > 0 && rng() % 5 != 0) {
      uint32_t parents = 1 + rng() % 2;
      for (uint32_t k = 0; k < parents; ++k) edges.emplace_back(name(rng() % i), name(i));
    }
  }
  if (order_out != nullptr) {
    for (const Ds& d : ds) order_out->push_back(d.id);
  }
  std::shuffle(ds.begin(), ds.end(), rng);  // input order must not matter
  return MakeCatalog(ds, edges);
}

TEST(PlannerTest, StagesAreCumulativeAndRespectLineage) {
  Catalog c = RandomEstate(400, 1);
  MigrationSpec spec = Spec({5, 25, 50, 100});
  auto plan = BuildPlan(c, spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->stages.size(), 4u);
  EXPECT_TRUE(plan->stages[0].canary);
  EXPECT_EQ(plan->stages[0].datasets, 20);  // 5% of 400
  EXPECT_EQ(plan->stages[0].datasets + plan->stages[1].datasets, 100);
  EXPECT_EQ(plan->stages[0].datasets + plan->stages[1].datasets + plan->stages[2].datasets, 200);
  EXPECT_EQ(plan->stages[3].datasets, 200);
  auto rows = ByDataset(*plan);
  // Canary: only low-tier datasets, from the earliest waves.
  int max_canary_wave = 0;
  for (const auto& [id, r] : rows) {
    if (r.stage == 0) {
      EXPECT_EQ(r.tier, Tier::kLow) << id;
      max_canary_wave = std::max(max_canary_wave, r.wave);
    }
  }
  EXPECT_EQ(max_canary_wave, 0);  // plenty of low-tier roots in this estate
  // Every lineage edge: upstream in an earlier wave and no later stage.
  for (const auto& [u, d] : c.edges()) {
    const PlanRow& ru = rows[c.entity(u).id];
    const PlanRow& rd = rows[c.entity(d).id];
    EXPECT_LT(ru.wave, rd.wave);
    EXPECT_LE(ru.stage, rd.stage) << c.entity(u).id << " -> " << c.entity(d).id;
  }
  // Rows are in execution order with priorities 1..k per (stage, wave).
  for (size_t i = 1; i < plan->rows.size(); ++i) {
    const PlanRow& a = plan->rows[i - 1];
    const PlanRow& b = plan->rows[i];
    ASSERT_LE(std::tie(a.stage, a.wave), std::tie(b.stage, b.wave));
    EXPECT_EQ(b.priority, (a.stage == b.stage && a.wave == b.wave) ? a.priority + 1 : 1);
  }
}

TEST(PlannerTest, CanaryIsClosedUpwardWhenItReachesLaterWaves) {
  // Only two low datasets, one downstream of a standard one: the canary can hold only
  // the root one; the other has an upstream outside the canary tiers.
  Catalog c = MakeCatalog({{"root_low", Tier::kLow}, {"root_std"}, {"child_low", Tier::kLow}, {"leaf", Tier::kLow}},
                          {{"root_std", "child_low"}, {"root_low", "leaf"}});
  MigrationSpec spec = Spec({50, 100});
  auto plan = BuildPlan(c, spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto rows = ByDataset(*plan);
  EXPECT_EQ(rows["root_low"].stage, 0);
  EXPECT_EQ(rows["leaf"].stage, 0);  // its only upstream is in the canary
  EXPECT_EQ(rows["child_low"].stage, 1);
  EXPECT_EQ(rows["root_std"].stage, 1);
}

TEST(PlannerTest, CanaryShortfallAndNoCandidatesAreWarnings) {
  Catalog c = MakeCatalog({{"a"}, {"b"}, {"c"}, {"d"}}, {});
  auto plan = BuildPlan(c, Spec({50, 100}));
  ASSERT_TRUE(plan.ok());
  ASSERT_FALSE(plan->warnings.empty());
  EXPECT_NE(plan->warnings[0].find("no selected dataset is in the canary tiers"), std::string::npos);
  EXPECT_EQ(plan->stages[0].datasets, 2);
}

TEST(PlannerTest, DeterministicForASeedAndIndependentOfInputOrder) {
  MigrationSpec spec = Spec({5, 100});
  spec.rollout.seed = 42;
  auto p1 = BuildPlan(RandomEstate(300, 5), spec);
  auto p2 = BuildPlan(RandomEstate(300, 5), spec);
  ASSERT_TRUE(p1.ok() && p2.ok());
  EXPECT_EQ(p1->hash, p2->hash);
  EXPECT_EQ(p1->rows, p2->rows);
  EXPECT_EQ(p1->hash, ComputePlanHash(*p1));
  std::set<std::string> canary1, canary2;
  for (const PlanRow& r : p1->rows) {
    if (r.stage == 0) canary1.insert(r.dataset_id);
  }
  spec.rollout.seed = 43;
  auto p3 = BuildPlan(RandomEstate(300, 5), spec);
  ASSERT_TRUE(p3.ok());
  for (const PlanRow& r : p3->rows) {
    if (r.stage == 0) canary2.insert(r.dataset_id);
  }
  EXPECT_EQ(canary1.size(), canary2.size());
  EXPECT_NE(canary1, canary2);  // another seed draws another canary
  EXPECT_NE(p1->hash, p3->hash);
}

TEST(PlannerTest, HashCoversSpecAndTargets) {
  Catalog c = MakeCatalog({{"a"}, {"b"}}, {{"a", "b"}});
  MigrationSpec spec = Spec();
  auto base = BuildPlan(c, spec);
  ASSERT_TRUE(base.ok());
  spec.hash = "other";
  auto other_spec = BuildPlan(c, spec);
  spec = Spec();
  spec.target.uri_template = "file:///v3/{id}";
  auto other_target = BuildPlan(c, spec);
  ASSERT_TRUE(other_spec.ok() && other_target.ok());
  EXPECT_NE(base->hash, other_spec->hash);
  EXPECT_NE(base->hash, other_target->hash);
  EXPECT_EQ(base->hash.size(), 64u);
  Plan copy = *base;
  copy.created_at = "later";
  EXPECT_EQ(ComputePlanHash(copy), base->hash);
}

TEST(PlannerTest, StageSpecErrors) {
  Catalog c = MakeCatalog({{"a"}}, {});
  for (std::vector<double> bad : std::vector<std::vector<double>>{{}, {50, 25, 100}, {10, 50}, {0, 100}, {50, 120}}) {
    auto plan = BuildPlan(c, Spec(bad));
    EXPECT_FALSE(plan.ok()) << bad.size();
  }
  MigrationSpec spec = Spec({10, 100});
  spec.rollout.canary_tiers = {"tiny"};
  EXPECT_FALSE(BuildPlan(c, spec).ok());
}

TEST(TargetTemplateTest, RendersAndValidates) {
  Entity e;
  e.id = "fin/billing";
  e.name = "billing";
  e.ns = "fin";
  auto t = TargetTemplate::Parse("s3://v{version}/{namespace}/{name}.{format}#{id}");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Render(e, 3, "parquet"), "s3://v3/fin/billing.parquet#fin/billing");
  for (const char* bad : {"", "file:///x/", "file:///{idd}/", "file:///{id", "file:///id}/{id}"}) {
    EXPECT_FALSE(TargetTemplate::Parse(bad).ok()) << bad;
  }
  EXPECT_NE(TargetTemplate::Parse("file:///{nope}/{id}").status().message().find("{nope} at offset 8"),
            std::string::npos);
}

TEST(PlannerTest, TargetCollisionsAreErrors) {
  Catalog c;
  for (const char* ns : {"a", "b"}) {
    Entity e;
    e.id = std::string(ns) + "/x";
    e.name = "x";
    e.ns = ns;
    e.uri = "file:///x";
    e.format = "csv";
    c.AddEntity(e);
  }
  ASSERT_TRUE(c.Finalize().ok());
  MigrationSpec spec = Spec();
  spec.target.uri_template = "file:///v2/{name}/";
  auto plan = BuildPlan(c, spec);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("file:///v2/x/ (a/x and b/x)"), std::string::npos) << plan.status().message();
}

TEST(SelectionTest, IdsOrMatchCriteria) {
  Catalog c;
  auto add = [&](const std::string& id, const std::string& owner, const std::string& format, Tier tier, int version,
                 std::map<std::string, std::string> labels) {
    Entity e;
    e.id = e.name = id;
    e.owner = owner;
    e.format = format;
    e.tier = tier;
    e.schema_version = version;
    e.labels = std::move(labels);
    c.AddEntity(e);
  };
  add("events.raw", "group:default/data", "avro", Tier::kLow, 1, {{"domain", "events"}});
  add("events.clean", "data", "parquet", Tier::kStandard, 1, {{"domain", "events"}});
  add("orders", "shop", "avro", Tier::kLow, 2, {});
  Entity svc;
  svc.kind = EntityKind::kComponent;
  svc.id = "component:svc";
  svc.name = "svc";
  c.AddEntity(svc);
  ASSERT_TRUE(c.Finalize().ok());
  auto ids = [&](const SelectSpec& s) {
    std::vector<std::string> out;
    auto r = SelectDatasets(c, s);
    if (!r.ok()) return std::vector<std::string>{"error: " + r.status().message()};
    for (NodeId n : *r) out.push_back(c.entity(n).id);
    return out;
  };
  SelectSpec s;
  s.id_pattern = "events.*";
  EXPECT_EQ(ids(s), (std::vector<std::string>{"events.clean", "events.raw"}));
  s.owner = "data";
  s.format = "AVRO";
  EXPECT_EQ(ids(s), std::vector<std::string>{"events.raw"});
  s = SelectSpec();
  s.tiers = {"low"};
  s.schema_version = 2;
  EXPECT_EQ(ids(s), std::vector<std::string>{"orders"});
  s = SelectSpec();
  s.labels = {{"domain", "events"}};
  s.ids = {"orders"};  // ids add to what match selects
  EXPECT_EQ(ids(s), (std::vector<std::string>{"events.clean", "events.raw", "orders"}));
  s = SelectSpec();
  s.id_pattern = "*";  // never selects consumers
  EXPECT_EQ(ids(s).size(), 3u);
  s = SelectSpec();
  EXPECT_NE(ids(s)[0].find("select names no dataset"), std::string::npos);
  s.ids = {"nope", "component:svc"};
  EXPECT_NE(ids(s)[0].find("'nope' is not in the catalog"), std::string::npos) << ids(s)[0];
  EXPECT_NE(ids(s)[0].find("'component:svc' is a component, not a dataset"), std::string::npos);
  s = SelectSpec();
  s.id_pattern = "zzz*";
  EXPECT_NE(ids(s)[0].find("matches no dataset"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
