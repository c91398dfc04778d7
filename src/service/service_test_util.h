// Shared by the service tests: a fresh state store per test with one planned
// migration ("m", datasets d0..dN-1 in one stage), and helpers to put tasks and the
// run into the states an operator command meets.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "service/service_context.h"
#include "store/state_store.h"

namespace gaggle::service_test {

// The plan of migration "m" with `n` datasets d0..d(n-1) in stage 0, Avro under file:///lake/
// to file:///v2/ (the service and server tests share it).
inline Plan PendingPlan(int n) {
  Plan p;
  p.migration = "m";
  p.spec_hash = "spec";
  p.hash = "plan-" + std::to_string(n);
  for (int i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = "d" + std::to_string(i);
    r.source_uri = "file:///lake/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///v2/" + r.dataset_id;
    p.rows.push_back(r);
  }
  return p;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test) {
      if (c == '/') c = '-';  // a parameterized test's name ("Name/postgres") is one directory
    }
    dir_ = std::filesystem::temp_directory_path() / ("gaggle-service-" + std::to_string(::getpid()) + "-" + test);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenStateStore(StateLocation());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ctx_.store = store_.get();
    ctx_.actor = "alice";
    ctx_.artifacts = (dir_ / "gaggle-logs").string();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Where the test's state lives: a SQLite file in the test's directory, unless a
  // fixture puts it elsewhere (control_plane_test_util.h: a PostgreSQL database).
  virtual std::string StateLocation() { return (dir_ / "gaggle.db").string(); }

  // A run of migration "m" with `n` pending tasks d0..d(n-1) in stage 0.
  void StartMigration(int n) {
    Plan p = PendingPlan(n);
    ASSERT_TRUE(store_->SavePlan(p).ok());
    ASSERT_TRUE(store_->UpsertRun(p, "m.yaml", 2, "alice").ok());
  }

  TaskRecord Task(const std::string& dataset) {
    auto t = store_->FindTask("m", dataset);
    EXPECT_TRUE(t.ok() && t->has_value()) << dataset;
    return t.ok() && t->has_value() ? **t : TaskRecord{};
  }
  // Walks a task along the state machine to `path`'s last state, as a runner would.
  void Walk(const std::string& dataset, const std::vector<TaskState>& path) {
    for (TaskState to : path) {
      TaskRecord t = Task(dataset);
      const TaskState from = t.state;
      t.state = to;
      if (to == TaskState::kRunning) ++t.attempts;
      ASSERT_TRUE(store_->TransitionTask(from, t, "runner", "").ok()) << dataset << " -> " << TaskStateName(to);
    }
  }
  MigrationRun Run() {
    auto r = store_->FindRun("m");
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : MigrationRun{};
  }
  void SetRun(RunState state, const std::string& reason) {
    MigrationRunUpdate u;
    u.state = state;
    u.state_reason = reason;
    ASSERT_TRUE(store_->UpdateRun("m", u, "runner", reason).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
  service::ServiceContext ctx_;
};

}  // namespace gaggle::service_test
