// Which plan locations a run can use, for which spec: one case per row.
#include "plan/location_support.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

struct LocationCase {
  const char* name;
  const char* source;
  const char* target;
  bool verify = false;
  bool auto_rollback = false;
  bool exec_agent = false;
  const char* error = nullptr;  // substring of the refusal; nullptr = accepted
};

TEST(LocationSupport, LocalAndObjectStorageWhereTheSpecAllows) {
  const LocationCase cases[] = {
      {"local to local", "/lake/a", "file:///lake/v2/a", true, true, true},
      {"local to s3", "/lake/a", "s3://new/lake/a"},
      {"s3 to local", "s3://old/lake/a", "/lake/v2/a"},
      {"gs to s3", "gs://old/lake/a", "s3://new/lake/a"},
      {"hdfs is unusable", "hdfs://nn/lake/a", "/lake/v2/a", false, false, false, "not usable by a run"},
      {"verification reads object storage", "gs://old/lake/a", "s3://new/lake/a", true, false, false},
      {"auto rollback of s3 targets", "/lake/a", "s3://new/lake/a", false, true, false},
      {"external agent reads local sources", "s3://old/lake/a", "/lake/v2/a", false, false, true, "agent.exec"},
      {"external agent writes s3 targets", "/lake/a", "s3://new/lake/a", false, false, true},
  };
  for (const LocationCase& c : cases) {
    MigrationSpec spec;
    spec.verify.enabled = c.verify;
    spec.rollout.auto_rollback = c.auto_rollback;
    if (c.exec_agent) spec.agent.kind = AgentSpec::Kind::kExec;
    PlanRow row;
    row.dataset_id = "orders";
    row.source_uri = c.source;
    row.target_uri = c.target;
    Status st = CheckLocationsAreSupported({row}, spec);
    if (c.error == nullptr) {
      EXPECT_TRUE(st.ok()) << c.name << ": " << st.ToString();
      continue;
    }
    EXPECT_EQ(st.code(), StatusCode::kUnsupported) << c.name;
    EXPECT_NE(st.message().find(c.error), std::string::npos) << c.name << ": " << st.ToString();
    EXPECT_NE(st.message().find("orders: "), std::string::npos) << c.name << ": names the dataset";
  }
}

}  // namespace
}  // namespace gaggle
