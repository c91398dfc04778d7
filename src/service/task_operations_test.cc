#include "service/task_operations.h"

#include <set>

#include "service/control_plane_test_util.h"

namespace gaggle::service {
namespace {

using TaskOperationsTest = service_test::ControlPlaneBackendTest;

TEST_P(TaskOperationsTest, PagesWalkEveryTaskOnceInPlanOrder) {
  StartMigration(250);
  TaskPageQuery q;
  q.migration = "m";
  q.limit = 100;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = QueryTaskPage(ctx_, q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const TaskRow& r : page->rows) seen.push_back(r.task.dataset_id);
    if (!page->more) break;
    q.after_stage = page->next_stage;
    q.after_ordinal = page->next_ordinal;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 250u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 250u);
  EXPECT_EQ(seen.front(), "d0");
  EXPECT_EQ(seen.back(), "d249");
}

TEST_P(TaskOperationsTest, FiltersByStateAndTextAndBoundsTheScan) {
  StartMigration(50);
  for (int i : {3, 17, 42}) Walk("d" + std::to_string(i), {TaskState::kRunning, TaskState::kNeedsAttention});
  Walk("d20", {TaskState::kRunning, TaskState::kFailed});
  TaskPageQuery q;
  q.migration = "m";
  q.states = {TaskState::kNeedsAttention, TaskState::kFailed};
  auto page = QueryTaskPage(ctx_, q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 4u);
  EXPECT_EQ(page->rows[0].task.dataset_id, "d3");
  EXPECT_EQ(page->rows[1].task.dataset_id, "d17");
  EXPECT_EQ(page->rows[2].task.dataset_id, "d20");
  EXPECT_EQ(page->rows[3].task.dataset_id, "d42");
  EXPECT_FALSE(page->more);
  q.states.clear();
  q.text = "4";  // d4, d14, d24, d34, d40..d49
  auto text = QueryTaskPage(ctx_, q);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rows.size(), 14u);
  // A bounded scan returns a partial page with a cursor, and the walk still finds everything.
  q.max_scan = 7;
  std::vector<std::string> found;
  for (int i = 0; i < 20; ++i) {
    auto p = QueryTaskPage(ctx_, q);
    ASSERT_TRUE(p.ok());
    EXPECT_LE(p->scanned, 7);
    for (const TaskRow& r : p->rows) found.push_back(r.task.dataset_id);
    if (!p->more) break;
    q.after_stage = p->next_stage;
    q.after_ordinal = p->next_ordinal;
  }
  EXPECT_EQ(found.size(), 14u);
}

TEST_P(TaskOperationsTest, PageLimitsAreChecked) {
  StartMigration(3);
  TaskPageQuery q;
  q.migration = "m";
  q.limit = 0;
  EXPECT_EQ(QueryTaskPage(ctx_, q).status().code(), StatusCode::kInvalidArgument);
  q.limit = kMaxTaskPageLimit + 1;
  EXPECT_EQ(QueryTaskPage(ctx_, q).status().code(), StatusCode::kInvalidArgument);
  q.limit = 10;
  q.migration = "nope";
  EXPECT_EQ(QueryTaskPage(ctx_, q).status().code(), StatusCode::kNotFound);
}

TEST_P(TaskOperationsTest, BulkRetryRequeuesOnlyTheMatchesInOneAuditedCall) {
  StartMigration(10);
  Walk("d1", {TaskState::kRunning, TaskState::kFailed});
  Walk("d2", {TaskState::kRunning, TaskState::kNeedsAttention});
  BulkRequest b;
  b.action = BulkAction::kRetry;
  b.filter.migration = "m";
  b.filter.states = {TaskState::kNeedsAttention};
  EXPECT_EQ(RunBulkAction(ctx_, b).status().code(), StatusCode::kInvalidArgument) << "a reason is required";
  b.reason = "source fixed";
  auto r = RunBulkAction(ctx_, b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matched, 1);
  EXPECT_EQ(r->changed, 1);
  EXPECT_EQ(Task("d2").state, TaskState::kPending);
  EXPECT_EQ(Task("d1").state, TaskState::kFailed);
  Event e = LastEvent();
  EXPECT_EQ(e.to_state, "bulk-retry");
  EXPECT_EQ(e.actor, "alice");
  EXPECT_NE(e.detail.find("\"matched\":1"), std::string::npos);
}

TEST_P(TaskOperationsTest, BulkPauseWithNoMatchChangesNothing) {
  StartMigration(5);
  BulkRequest b;
  b.action = BulkAction::kPause;
  b.filter.migration = "m";
  b.filter.text = "zzz";
  b.reason = "hold";
  auto r = RunBulkAction(ctx_, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matched, 0);
  EXPECT_EQ(Run().state, RunState::kRunning) << "an empty match must not pause the whole migration";
  b.filter.text = "d3";
  r = RunBulkAction(ctx_, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 1);
  EXPECT_EQ(Task("d3").state, TaskState::kPaused);
  EXPECT_EQ(Run().state, RunState::kRunning);
}

TEST_P(TaskOperationsTest, AttentionQueueSpansMigrationsWithAdvice) {
  StartMigration(4);
  Walk("d0", {TaskState::kRunning, TaskState::kNeedsAttention});
  Walk("d3", {TaskState::kRunning, TaskState::kFailed});
  AttentionRequest r;
  r.limit = 1;
  auto first = ListAttention(ctx_, r);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].row.task.dataset_id, "d0");
  EXPECT_NE(first->items[0].advice.find("out of retries"), std::string::npos);
  ASSERT_TRUE(first->more);
  r.after_migration = first->next_migration;
  r.after_stage = first->next_stage;
  r.after_ordinal = first->next_ordinal;
  auto second = ListAttention(ctx_, r);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].row.task.dataset_id, "d3");
  EXPECT_NE(second->items[0].advice.find("permanent"), std::string::npos);
}

TEST_P(TaskOperationsTest, DatasetDetailHasAttemptsFromTheEventLog) {
  StartMigration(2);
  Walk("d1", {TaskState::kRunning, TaskState::kRetrying, TaskState::kRunning, TaskState::kSucceeded});
  auto d = GetDatasetDetail(ctx_, {"m", "d1", 10});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->attempts.size(), 2u);
  EXPECT_EQ(d->attempts[0]["outcome"], "retrying");
  EXPECT_EQ(d->attempts[1]["outcome"], "succeeded");
  EXPECT_TRUE(d->validation.is_null());
  EXPECT_EQ(GetDatasetDetail(ctx_, {"m", "nope", 10}).status().code(), StatusCode::kNotFound);
}

// A stage filter with a cursor before, inside and after that stage: the page holds that
// stage's tasks after the cursor, in order (the SQL differs from the unfiltered one).
TEST_P(TaskOperationsTest, AStageFilterHonoursACursorInAnyStage) {
  Plan p;
  p.migration = "m";
  p.spec_hash = "spec";
  p.hash = "plan-stages";
  for (int i = 0; i < 30; ++i) {
    PlanRow r;
    r.dataset_id = "d" + std::to_string(i);
    r.stage = i / 10;
    r.source_uri = "file:///lake/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///v2/" + r.dataset_id;
    p.rows.push_back(r);
  }
  ASSERT_TRUE(store_->SavePlan(p).ok());
  ASSERT_TRUE(store_->UpsertRun(p, "m.yaml", 2, "alice").ok());
  auto ids = [&](int after_stage, int64_t after_ordinal) {
    TaskPageQuery q;
    q.migration = "m";
    q.stage = 1;
    q.after_stage = after_stage;
    q.after_ordinal = after_ordinal;
    auto page = QueryTaskPage(ctx_, q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const TaskRow& r : page->rows) out.push_back(r.task.dataset_id);
    }
    return out;
  };
  const std::vector<std::string> all = ids(-1, -1);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front(), "d10");
  EXPECT_EQ(ids(0, 1000000), all);  // a cursor in an earlier stage: the whole stage
  const int64_t third = Task("d12").ordinal;
  const std::vector<std::string> rest = ids(1, third);
  ASSERT_EQ(rest.size(), 7u);
  EXPECT_EQ(rest.front(), "d13");
  EXPECT_TRUE(ids(2, -1).empty());  // a cursor past the stage: nothing
}

INSTANTIATE_CONTROL_PLANE_SUITE(TaskOperationsTest);

}  // namespace
}  // namespace gaggle::service
