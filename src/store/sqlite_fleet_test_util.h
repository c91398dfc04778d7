// Shared by the fleet store tests (sqlite_fleet_store_test.cc, sqlite_fleet_run_test.cc):
// a fixture with a fresh state file per test, and hand-built plans.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_state_store.h"

namespace gaggle::fleet_store_test {

namespace fs = std::filesystem;

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

class FleetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-fleet-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "gaggle.db").string();
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<StateStore> Open(int busy_ms = 5000) {
    StateStoreOptions o;
    o.busy_timeout_ms = busy_ms;
    o.clock = &clock_;
    auto s = OpenStateStore(path_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::vector<Event> Events(const std::string& dataset = "", int64_t after = 0) {
    EventFilter f;
    f.migration = "m";
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

  fs::path dir_;
  std::string path_;
  FakeClock clock_{1704067200100000LL, std::chrono::milliseconds(1)};  // 2024-01-01T00:00:00.100Z, 1 ms a reading
  std::unique_ptr<StateStore> store_;
};

}  // namespace gaggle::fleet_store_test
