// The planner, data-driven: one folder per case under src/plan/testdata with a
// native catalog (catalog.yaml), the migration's select/rollout/target
// (case.yaml), and either expected.txt (the plan rows in execution order, then
// warnings) or expected_error.txt (substrings of the one error).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog_loader.h"
#include "common/source_dir_test_util.h"
#include "plan/planner.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

MigrationSpec CaseSpec(const fs::path& file) {
  YAML::Node c = YAML::LoadFile(file.string());
  MigrationSpec s;
  s.name = "case";
  s.hash = "case-hash";
  s.version = c["version"] ? c["version"].as<int>() : 2;
  YAML::Node sel = c["select"];
  if (sel["ids"]) s.select.ids = sel["ids"].as<std::vector<std::string>>();
  if (YAML::Node m = sel["match"]) {
    if (m["id"]) s.select.id_pattern = m["id"].as<std::string>();
    if (m["owner"]) s.select.owner = m["owner"].as<std::string>();
    if (m["format"]) s.select.format = m["format"].as<std::string>();
    if (m["tier"]) s.select.tiers = m["tier"].as<std::vector<std::string>>();
    if (m["labels"]) s.select.labels = m["labels"].as<std::map<std::string, std::string>>();
    if (m["schema_version"]) s.select.schema_version = m["schema_version"].as<int>();
  }
  YAML::Node r = c["rollout"];
  s.rollout.stages = r["stages"].as<std::vector<double>>();
  if (r["canary"]) s.rollout.canary_tiers = r["canary"].as<std::vector<std::string>>();
  if (r["seed"]) s.rollout.seed = r["seed"].as<uint64_t>();
  s.target.uri_template = c["target"].as<std::string>();
  return s;
}

std::string Render(const Plan& p) {
  std::string out;
  for (const PlanRow& r : p.rows) {
    out += r.dataset_id + " wave=" + std::to_string(r.wave) + " stage=" + std::to_string(r.stage) +
           " priority=" + std::to_string(r.priority) + " blast=" + std::to_string(r.blast_radius) +
           " target=" + r.target_uri + "\n";
  }
  for (const PlanStage& s : p.stages) {
    if (p.stages.size() > 1) {
      out += "stage " + std::to_string(s.index) + (s.canary ? " canary" : "") +
             " datasets=" + std::to_string(s.datasets) + " bytes=" + std::to_string(s.bytes) + "\n";
    }
  }
  for (const std::string& w : p.warnings) out += "warning: " + w + "\n";
  return out;
}

TEST(PlanDataDriven, EveryCase) {
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(gaggle::testing::SourceRoot() + "/src/plan/testdata")) {
    if (!dir.is_directory()) continue;
    ++cases;
    SCOPED_TRACE("case " + dir.path().filename().string());
    auto loaded = LoadCatalogFromPath((dir.path() / "catalog.yaml").string());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    MigrationSpec spec = CaseSpec(dir.path() / "case.yaml");
    auto plan = BuildPlan(loaded->catalog, spec);
    if (fs::exists(dir.path() / "expected_error.txt")) {
      ASSERT_FALSE(plan.ok());
      std::stringstream want(ReadText(dir.path() / "expected_error.txt"));
      std::string line;
      while (std::getline(want, line)) {
        if (line.empty()) continue;
        EXPECT_NE(plan.status().message().find(line), std::string::npos) << line << "\n" << plan.status().message();
      }
      continue;
    }
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_EQ(Render(*plan), ReadText(dir.path() / "expected.txt"));
  }
  EXPECT_GE(cases, 4);
}

}  // namespace
}  // namespace gaggle
