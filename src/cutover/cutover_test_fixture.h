// The fixture of the cut-over and gc tests: a state file with a catalog of three
// avro datasets (v1/a, v1/b, v1/c), a plan migrating them to v2/<id>, a and b validated
// (with manifests listing what they read), c needing attention.
// Thread-safety: one test at a time.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cutover/cut_over.h"
#include "dataset/input_fingerprint.h"
#include "dataset/manifest.h"
#include "store/state_store.h"

namespace gaggle {

namespace fs = std::filesystem;

class CutOverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-cutover-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = OpenStateStore((dir_ / "gaggle.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    spec_.name = "m";
    spec_.version = 2;
    spec_.retention = std::chrono::seconds(7 * 24 * 3600);

    Catalog c;
    Plan plan;
    plan.migration = "m";
    plan.spec_hash = "s";
    plan.hash = "p";
    for (const char* id : {"a", "b", "c"}) {
      Entity e;
      e.kind = EntityKind::kDataset;
      e.id = e.name = id;
      e.uri = "file://" + (dir_ / "v1" / id).string() + "/";
      e.format = "avro";
      e.schema_version = 1;
      c.AddEntity(e);
      Write(dir_ / "v1" / id / "part-0.avro", "old data of " + std::string(id));
      Write(dir_ / "v2" / id / "part-0.parquet", "new data");
      WriteManifest(id);
      PlanRow r;
      r.dataset_id = id;
      r.source_uri = e.uri;
      r.source_format = "avro";
      r.target_uri = "file://" + (dir_ / "v2" / id).string() + "/";
      plan.rows.push_back(r);
    }
    ASSERT_TRUE(c.Finalize().ok());
    ASSERT_TRUE(store_->ReplaceCatalog(c, {"test", "me"}).ok());
    ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 1, "me").ok());
    // a and b are validated; c needs attention.
    for (const char* id : {"a", "b", "c"}) {
      TaskRecord t = **store_->FindTask("m", id);
      std::vector<TaskState> path = {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated};
      if (std::string(id) == "c") path = {TaskState::kRunning, TaskState::kNeedsAttention};
      for (TaskState s : path) {
        TaskState from = t.state;
        t.state = s;
        ASSERT_TRUE(store_->TransitionTask(from, t, "me", "").ok());
      }
    }
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  static void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // The new output's commit record, listing the files the migration read in v1/<id>.
  void WriteManifest(const std::string& id) {
    auto input = FingerprintDataset(FileSystem::Default(), (dir_ / "v1" / id).string());
    ASSERT_TRUE(input.ok()) << input.status().ToString();
    Manifest m;
    m.migration = "m";
    m.input = std::move(input).value();
    std::ofstream(dir_ / "v2" / id / kManifestFileName) << m.ToJson().dump();
  }
  void Complete() {
    MigrationRunUpdate u;
    u.state = RunState::kCompleted;
    ASSERT_TRUE(store_->UpdateRun("m", u, "me", "done").ok());
  }

  fs::path dir_;
  std::unique_ptr<StateStore> store_;
  MigrationSpec spec_;
};

}  // namespace gaggle
