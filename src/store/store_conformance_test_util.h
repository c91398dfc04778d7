// The store conformance suite: one parameterized GoogleTest suite, StoreConformance,
// that every StoreBackend passes — the StateStore rules through the backend
// (store_*_conformance_test.cc) and the backend contract itself
// (store_backend_conformance_test.cc). A backend joins by implementing StoreFactory and
// instantiating the suite once (sqlite_backend_test.cc does it for "sqlite"):
//
//   INSTANTIATE_TEST_SUITE_P(postgres, StoreConformance, ::testing::Values(PostgresFactory()),
//                            StoreFactoryName);
//
// Also here: the hand-built plans and catalogs the suite's tests share.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/state_store.h"
#include "store/store_backend.h"

namespace gaggle::store_test {

// How the suite makes, opens and subverts stores of one backend.
class StoreFactory {
 public:
  virtual ~StoreFactory() = default;
  virtual std::string name() const = 0;
  // Why this backend's tests cannot run on this machine ("" when they can): they skip then.
  virtual std::string SkipReason() { return ""; }
  // A new, empty location for test `test` (unique per test and process).
  virtual Result<std::string> NewLocation(const std::string& test) = 0;
  // Removes what NewLocation made.
  virtual void DropLocation(const std::string& location) = 0;
  virtual Result<std::unique_ptr<StoreBackend>> OpenBackend(const std::string& location,
                                                            const StateStoreOptions& options) = 0;
  // Changes the store behind its back, as someone with direct access to its tables would
  // (the append-only guards removed): one event's detail, one event removed, one
  // chain's recorded head set to another event's.
  virtual Status RewriteEventDetail(const std::string& location, int64_t seq, const std::string& detail) = 0;
  virtual Status DeleteEvent(const std::string& location, int64_t seq) = 0;
  virtual Status SetChainHead(const std::string& location, const std::string& migration, int64_t seq) = 0;
};

using StoreFactoryPtr = std::shared_ptr<StoreFactory>;

inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactoryPtr>& info) {
  return info.param->name();
}
// Prints a factory as its name in test output.
inline void PrintTo(const StoreFactoryPtr& factory, std::ostream* os) { *os << factory->name(); }

class StoreConformance : public ::testing::TestWithParam<StoreFactoryPtr> {
 protected:
  void SetUp() override {
    if (const std::string why = factory().SkipReason(); !why.empty()) GTEST_SKIP() << why;
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test) {
      if (c == '/') c = '-';
    }
    auto location = factory().NewLocation(test);
    ASSERT_TRUE(location.ok()) << location.status().ToString();
    location_ = *location;
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  void TearDown() override {
    store_.reset();
    if (!location_.empty()) factory().DropLocation(location_);
  }

  StoreFactory& factory() { return *GetParam(); }

  StateStoreOptions Options(int busy_ms = 5000) {
    StateStoreOptions o;
    o.busy_timeout_ms = busy_ms;
    o.clock = &clock_;
    return o;
  }
  std::unique_ptr<StoreBackend> OpenBackend(int busy_ms = 5000) {
    auto b = factory().OpenBackend(location_, Options(busy_ms));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(b).value() : nullptr;
  }
  // Another store on the same location (another process, as far as the backend knows).
  std::unique_ptr<StateStore> Open(int busy_ms = 5000) {
    auto b = OpenBackend(busy_ms);
    return b ? std::make_unique<StateStore>(std::move(b), Options(busy_ms)) : nullptr;
  }

  std::vector<Event> Events(const std::string& dataset = "", int64_t after = 0, const std::string& migration = "m") {
    EventFilter f;
    f.migration = migration;
    f.dataset = dataset;
    f.after_seq = after;
    f.limit = 1000000;
    auto e = store_->ListEvents(f);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : std::vector<Event>{};
  }
  int64_t LastSeq() {
    auto e = Events();
    return e.empty() ? 0 : e.back().seq;
  }
  TaskRecord Task(const std::string& dataset) {
    auto t = store_->FindTask("m", dataset);
    EXPECT_TRUE(t.ok() && t->has_value()) << dataset;
    return t.ok() && t->has_value() ? **t : TaskRecord{};
  }
  // Moves `dataset` from its current state to `to`, as a runner would.
  Status Move(const std::string& dataset, TaskState to, const std::string& detail = "") {
    TaskRecord t = Task(dataset);
    TaskState from = t.state;
    t.state = to;
    return store_->TransitionTask(from, t, "tester", detail);
  }

  std::string location_;
  FakeClock clock_{1704067200100000LL, std::chrono::milliseconds(1)};  // 2024-01-01T00:00:00.100Z, 1 ms a reading
  std::unique_ptr<StateStore> store_;
};

// --- Shared test data ---------------------------------------------------------

inline Plan MakePlan(const std::string& migration, const std::vector<std::string>& ids, int stages = 1) {
  Plan p;
  p.migration = migration;
  p.spec_hash = "spec-1";
  p.hash = "plan-" + std::to_string(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    PlanRow r;
    r.dataset_id = ids[i];
    r.stage = static_cast<int>(i * static_cast<size_t>(stages) / ids.size());
    r.wave = static_cast<int>(i % 3);
    r.priority = static_cast<int>(i + 1);
    r.size_bytes = 100 * static_cast<int64_t>(i + 1);
    r.source_uri = "file:///lake/" + ids[i];
    r.source_format = "avro";
    r.target_uri = "file:///v2/" + ids[i];
    p.rows.push_back(std::move(r));
  }
  return p;
}

template <typename F>
MigrationRunUpdate Update(F set) {
  MigrationRunUpdate u;
  set(u);
  return u;
}

inline std::vector<std::string> Ids(int n, const std::string& prefix = "ds-") {
  std::vector<std::string> ids;
  char buf[32];
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof(buf), "%06d", i);
    ids.push_back(prefix + buf);
  }
  return ids;
}

inline Entity Dataset(const std::string& id, Tier tier = Tier::kStandard) {
  Entity e;
  e.kind = EntityKind::kDataset;
  e.id = e.name = id;
  e.type = "dataset";
  e.uri = "file:///lake/" + id;
  e.format = "avro";
  e.tier = tier;
  e.labels["domain"] = "x";
  e.owner = "team";
  return e;
}

inline Entity Consumer(const std::string& name) {
  Entity e;
  e.kind = EntityKind::kComponent;
  e.name = name;
  e.id = "component:" + name;
  e.queries = {"SELECT 1", "SELECT 2"};
  return e;
}

inline Catalog Build(std::vector<Entity> entities, std::vector<std::pair<std::string, std::string>> edges) {
  Catalog c;
  for (Entity& e : entities) c.AddEntity(std::move(e));
  for (auto& [u, d] : edges) c.AddEdge(u, d);
  Status st = c.Finalize();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

}  // namespace gaggle::store_test
