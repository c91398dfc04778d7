// The event vocabulary alone: what each builder writes (the exact text the audit trail
// has always carried), and that the parsers read it back.
#include "store/event_vocabulary.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TEST(EventVocabulary, CatalogAndPlanEvents) {
  CatalogChangeSet c;
  c.import_id = 4;
  c.time = "t";
  c.actor = "alice";
  c.source = "cat.yaml";
  c.num_added = 2;
  c.num_removed = 1;
  c.edges_added = 3;
  Event e = events::CatalogImported(c);
  EXPECT_EQ(e.migration, "");
  EXPECT_EQ(e.from_state, "");
  EXPECT_EQ(e.to_state, "catalog-imported");
  EXPECT_EQ(e.time, "t");
  EXPECT_EQ(e.actor, "alice");
  EXPECT_EQ(
      e.detail,
      R"({"added":2,"edges_added":3,"edges_removed":0,"import_id":4,"removed":1,"source":"cat.yaml","updated":0})");
  auto back = events::ParseCatalogImported(e);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->import_id, 4);
  EXPECT_EQ(back->source, "cat.yaml");
  EXPECT_EQ(back->removed, 1);

  Plan p;
  p.migration = "m";
  p.hash = "abc";
  p.num_waves = 2;
  p.rows.resize(3);
  p.stages.resize(1);
  e = events::Planned(p);
  EXPECT_EQ(e.migration, "m");
  EXPECT_EQ(e.to_state, "planned");
  EXPECT_EQ(e.detail, R"({"datasets":3,"plan_hash":"abc","stages":1,"waves":2})");
}

TEST(EventVocabulary, RunAndTaskEvents) {
  events::RunPlannedDetail d;
  d.created = true;
  d.plan_hash = "p";
  d.spec_hash = "s";
  d.spec_path = "x.yaml";
  d.datasets = 2;
  d.tasks_created = 2;
  Event e = events::RunPlanned("m", std::nullopt, RunState::kRunning, d);
  EXPECT_EQ(e.from_state, "");
  EXPECT_EQ(e.to_state, "running");
  EXPECT_EQ(
      e.detail,
      R"({"cancelled":0,"change":"run created","created":2,"datasets":2,"plan_hash":"p","spec_hash":"s","spec_path":"x.yaml"})");
  d.created = false;
  e = events::RunPlanned("m", RunState::kPaused, RunState::kPaused, d);
  EXPECT_EQ(e.from_state, "paused");
  EXPECT_NE(e.detail.find(R"("change":"plan refreshed")"), std::string::npos);

  e = events::RunChanged("m", RunState::kRunning, RunState::kPaused, "lunch");
  EXPECT_EQ(e.dataset, "");
  EXPECT_EQ(e.from_state, "running");
  EXPECT_EQ(e.to_state, "paused");
  EXPECT_EQ(e.detail, "lunch");

  e = events::TaskCreated("m", "d");
  EXPECT_EQ(e.dataset, "d");
  EXPECT_EQ(e.from_state, "");
  EXPECT_EQ(e.to_state, "pending");
  EXPECT_EQ(e.detail, "planned");
  e = events::TaskDropped("m", "d", TaskState::kRetrying);
  EXPECT_EQ(e.from_state, "retrying");
  EXPECT_EQ(e.to_state, "cancelled");
  EXPECT_EQ(e.detail, "dropped from the plan");
  e = events::TaskMoved("m", "d", TaskState::kRunning, TaskState::kSucceeded, "{}");
  EXPECT_EQ(e.from_state, "running");
  EXPECT_EQ(e.to_state, "succeeded");
}

TEST(EventVocabulary, GateEventsRoundTrip) {
  nlohmann::json detail = {{"stage", 2}, {"passed", false}, {"failing", 3}, {"settled", 10}, {"extra", "kept"}};
  Event e = events::GateDecided("m", false, detail);
  EXPECT_EQ(e.from_state, "gate");
  EXPECT_EQ(e.to_state, "gate-failed");
  EXPECT_EQ(e.detail, detail.dump());
  EXPECT_TRUE(events::IsGateEvent(e));
  auto g = events::ParseGateDecided(e);
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(g->passed);
  EXPECT_EQ(g->stage, 2);
  EXPECT_EQ(g->failing, 3);
  EXPECT_EQ(g->settled, 10);
  EXPECT_EQ(events::GateDecided("m", true, {{"stage", 0}}).to_state, "gate-passed");

  StageApproval a{"m", -1, "carol", "t9", "checked by hand"};
  e = events::GateApproved(a);
  EXPECT_EQ(e.from_state, "gate-failed");
  EXPECT_EQ(e.to_state, "gate-approved");
  EXPECT_EQ(e.actor, "carol");
  EXPECT_EQ(e.time, "t9");
  EXPECT_EQ(e.detail, R"({"reason":"checked by hand","stage":-1})");
  EXPECT_TRUE(events::IsGateEvent(e));
  auto back = events::ParseGateApproved(e);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->stage, -1);
  EXPECT_EQ(back->reason, "checked by hand");
}

TEST(EventVocabulary, VerificationAndCutOverEvents) {
  VerificationRecord v;
  v.migration = "m";
  v.time = "t";
  v.actor = "gaggle";
  v.sampled = 5;
  v.matched = 4;
  v.mismatched = 1;
  v.summary = "4 of 5";
  Event e = events::Verification(v);
  EXPECT_EQ(e.from_state, "verifying");
  EXPECT_EQ(e.to_state, "verification-failed");
  EXPECT_EQ(e.detail, R"({"errors":0,"matched":4,"mismatched":1,"refused":0,"sampled":5,"summary":"4 of 5"})");
  auto parsed = events::ParseVerification(e);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->passed);
  EXPECT_EQ(parsed->summary, "4 of 5");
  v.passed = true;
  EXPECT_EQ(events::Verification(v).to_state, "verified");

  CutoverRecord r;
  r.migration = "m";
  r.dataset_id = "d";
  r.previous = {"old", "avro", "a: int64", 1};
  r.next = {"new", "parquet", "b: int64", 2};
  r.cut_at = "t1";
  r.changed_by = "alice";
  r.retain_until = "t2";
  e = events::CutOver(r);
  EXPECT_EQ(e.from_state, "validated");
  EXPECT_EQ(e.to_state, "cut-over");
  EXPECT_EQ(e.time, "t1");
  EXPECT_EQ(e.actor, "alice");
  EXPECT_EQ(
      e.detail,
      R"({"next":{"format":"parquet","schema_version":2,"uri":"new"},"previous":{"format":"avro","schema_version":1,"uri":"old"},"retain_until":"t2"})");
  auto cut = events::ParseCutOver(e);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->previous.uri, "old");
  EXPECT_EQ(cut->next.schema_version, 2);
  EXPECT_EQ(cut->retain_until, "t2");

  e = events::CutOverReverted(r, "bad numbers");
  EXPECT_EQ(e.from_state, "cut-over");
  EXPECT_EQ(e.to_state, "cut-over-reverted");
  EXPECT_EQ(e.detail, R"({"reason":"bad numbers","restored":{"format":"avro","schema_version":1,"uri":"old"}})");
  e = events::Collected("m", "d", "{}");
  EXPECT_EQ(e.from_state, "cut-over");
  EXPECT_EQ(e.to_state, "collected");
}

TEST(EventVocabulary, ParsersRefuseOtherKindsAndMalformedDetails) {
  Event e;
  e.to_state = "gate-passed";
  e.detail = "not json";
  EXPECT_FALSE(events::ParseGateDecided(e).has_value());
  e.detail = "[1,2]";
  EXPECT_FALSE(events::ParseGateDecided(e).has_value());
  e.detail = R"({"stage":"two"})";
  auto g = events::ParseGateDecided(e);
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(g->stage.has_value());
  e.to_state = "verified";
  EXPECT_FALSE(events::ParseGateDecided(e).has_value());
  EXPECT_FALSE(events::ParseCutOver(e).has_value());
  EXPECT_FALSE(events::IsGateEvent(e));
}

}  // namespace
}  // namespace gaggle
