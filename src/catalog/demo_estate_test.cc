// The demo estate: its design (shape, sizes, faults) at the default 300 datasets,
// and a tiny written estate checked against the real catalog loader, Avro reader,
// spec parser, planner and built-in agent.
#include "catalog/demo_estate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/agent_runner.h"
#include "catalog/catalog_loader.h"
#include "columnar/synthetic_data.h"
#include "dataset/format_table.h"
#include "plan/planner.h"
#include "spec/migration_spec.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(fs::temp_directory_path() / ("gaggle-demo-estate-" + tag + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

DemoEstateOptions Tiny() {
  DemoEstateOptions o;
  o.datasets = 30;
  o.size_scale = 0.002;
  return o;
}

std::string PathOfUri(const std::string& uri) { return uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri; }

TEST(DemoEstate, DesignAtDefaultsHasTheAskedShape) {
  auto e = DesignDemoEstate(DemoEstateOptions{});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->datasets.size(), 300u);
  EXPECT_GE(e->layers, 5);
  EXPECT_LE(e->layers, 8);
  std::set<std::string> ids, teams;
  std::vector<int> readers(e->datasets.size(), 0);
  int max_layer = 0;
  uint64_t total = 0;
  size_t small = 0, big = 0;
  for (const DemoDataset& d : e->datasets) {
    EXPECT_TRUE(ids.insert(d.id).second) << d.id;
    EXPECT_LE(d.id.size(), 63u);
    EXPECT_EQ(d.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << d.id;
    teams.insert(d.team);
    max_layer = std::max(max_layer, d.layer);
    if (d.layer == 0) {
      EXPECT_TRUE(d.upstream.empty());
    } else {
      ASSERT_GE(d.upstream.size(), 1u);
      EXPECT_LE(d.upstream.size(), 4u);
      EXPECT_EQ(e->datasets[d.upstream[0]].layer, d.layer - 1) << d.id;
    }
    EXPECT_EQ(d.upstream.size(), d.declared_by_upstream.size());
    for (uint32_t u : d.upstream) {
      EXPECT_LT(e->datasets[u].layer, d.layer);  // edges go down the layers: no cycle possible
      ++readers[u];
    }
    total += d.bytes;
    small += d.bytes >= 900000 && d.bytes <= 10500000;
    big += d.bytes >= 50000000;
  }
  EXPECT_EQ(max_layer, e->layers - 1);
  EXPECT_EQ(teams.size(), 8u);
  EXPECT_GE(small, 270u) << "most datasets are 1-10 MB";
  EXPECT_GE(big, 3u);
  EXPECT_LE(big, 8u);
  EXPECT_GE(total, 1000000000u);
  EXPECT_LE(total, 1500000000u);
  EXPECT_GE(*std::max_element(readers.begin(), readers.end()), 12) << "hubs are read by many";
  EXPECT_GE(e->dataset_edges, 400u);

  EXPECT_GE(e->consumers.size(), 35u);
  EXPECT_LE(e->consumers.size(), 45u);
  for (const DemoConsumer& c : e->consumers) {
    ASSERT_FALSE(c.reads.empty());
    ASSERT_EQ(c.queries.size(), 2u);
    for (const std::string& q : c.queries) {
      EXPECT_EQ(q.rfind("SELECT ", 0), 0u) << q;
      EXPECT_NE(q.find(" GROUP BY "), std::string::npos) << q;
      EXPECT_EQ(q.find("legacy_flag"), std::string::npos) << "the migration drops it: " << q;
    }
    EXPECT_NE(c.queries[0].find("FROM " + e->datasets[c.reads[0]].id + " "), std::string::npos) << c.queries[0];
  }

  // Faults: distinct datasets; the permanent ones are leaves nobody reads.
  std::set<uint32_t> faulted = {e->too_many_bad_records, e->schema_mismatch, e->stall_once};
  EXPECT_EQ(faulted.size(), 3u);
  EXPECT_EQ(e->bad_records.size(), 15u);
  for (uint32_t i : e->bad_records) {
    EXPECT_FALSE(faulted.count(i));
    EXPECT_EQ(e->datasets[i].fault, DemoFault::kBadRecords);
    EXPECT_GT(e->datasets[i].bad_fraction, 0);
    EXPECT_LT(e->datasets[i].bad_fraction, kDemoDeadLetterMaxFraction);
  }
  EXPECT_EQ(e->datasets[e->too_many_bad_records].bad_fraction, kDemoTooManyBadFraction);
  EXPECT_GT(kDemoTooManyBadFraction, 2 * kDemoDeadLetterMaxFraction);
  for (uint32_t i : {e->too_many_bad_records, e->schema_mismatch}) {
    EXPECT_EQ(readers[i], 0) << e->datasets[i].id;
    EXPECT_EQ(e->datasets[i].layer, e->layers - 1) << e->datasets[i].id;
  }
  const DemoDataset& stall = e->datasets[e->stall_once];
  EXPECT_FALSE(stall.hub);
  EXPECT_GE(stall.layer, 1);
  EXPECT_GE(stall.bytes, 2000000u);
  EXPECT_LE(stall.bytes, 20000000u);

  // A seed names an estate.
  auto again = DesignDemoEstate(DemoEstateOptions{});
  ASSERT_TRUE(again.ok());
  DemoEstateOptions other;
  other.seed = 2;
  auto different = DesignDemoEstate(other);
  ASSERT_TRUE(different.ok());
  std::string a, b, c;
  for (size_t i = 0; i < 300; ++i) {
    a += e->datasets[i].id + std::to_string(e->datasets[i].rows);
    b += again->datasets[i].id + std::to_string(again->datasets[i].rows);
    c += different->datasets[i].id + std::to_string(different->datasets[i].rows);
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);

  // The scale changes row counts only: the test-sized estate has the demo's names,
  // lineage and faults.
  DemoEstateOptions small_opts;
  small_opts.size_scale = 0.01;
  auto small_estate = DesignDemoEstate(small_opts);
  ASSERT_TRUE(small_estate.ok());
  for (size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(small_estate->datasets[i].id, e->datasets[i].id);
    EXPECT_EQ(small_estate->datasets[i].upstream, e->datasets[i].upstream);
    EXPECT_EQ(small_estate->datasets[i].fault, e->datasets[i].fault);
    EXPECT_LT(small_estate->datasets[i].rows, e->datasets[i].rows);
  }
  EXPECT_EQ(small_estate->stall_once, e->stall_once);
  EXPECT_EQ(small_estate->schema_mismatch, e->schema_mismatch);
  EXPECT_EQ(small_estate->too_many_bad_records, e->too_many_bad_records);
  EXPECT_EQ(small_estate->consumers.size(), e->consumers.size());
}

TEST(DemoEstate, RejectsOptionsOutOfRange) {
  DemoEstateOptions o;
  o.datasets = 5;
  EXPECT_EQ(DesignDemoEstate(o).status().code(), StatusCode::kInvalidArgument);
  o.datasets = 30;
  o.size_scale = 0;
  EXPECT_EQ(DesignDemoEstate(o).status().code(), StatusCode::kInvalidArgument);
  o.size_scale = 1;
  o.threads = 0;
  EXPECT_EQ(DesignDemoEstate(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(DemoEstate, PlansIntoFourStagesWithTheFaultsLate) {
  // No data: the catalog and spec are what the planner needs.
  TempDir dir("plan");
  DemoEstateOptions o;
  o.write_data = false;
  DemoEstate e;
  auto summary = GenerateDemoEstate(dir.str(), o, &e);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(fs::exists(dir.path() / "lake"));
  auto loaded = LoadCatalogFromPath((dir.path() / "catalog").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->warnings.empty());
  EXPECT_EQ(loaded->catalog.num_datasets(), 300u);
  EXPECT_EQ(loaded->catalog.size(), 300u + e.consumers.size());
  EXPECT_EQ(loaded->catalog.num_edges(), e.dataset_edges + e.consumer_edges);
  auto spec = LoadMigrationSpec((dir.path() / "migration.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto plan = BuildPlan(loaded->catalog, *spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();  // also: no lineage cycle
  ASSERT_EQ(plan->stages.size(), 4u);
  ASSERT_EQ(plan->rows.size(), 300u);
  EXPECT_EQ(plan->stages[0].datasets, 15);
  EXPECT_TRUE(plan->stages[0].canary);
  EXPECT_EQ(plan->stages[0].by_tier[static_cast<int>(Tier::kLow)], 15);
  EXPECT_TRUE(plan->warnings.empty()) << plan->warnings[0];
  EXPECT_EQ(plan->num_waves, e.layers);
  std::map<std::string, const PlanRow*> rows;
  for (const PlanRow& r : plan->rows) rows[r.dataset_id] = &r;
  EXPECT_EQ(rows.at(e.datasets[e.too_many_bad_records].id)->stage, 3);
  EXPECT_EQ(rows.at(e.datasets[e.schema_mismatch].id)->stage, 3);
  EXPECT_GE(rows.at(e.datasets[e.stall_once].id)->stage, 1);  // after the canary, before the end
  EXPECT_LE(rows.at(e.datasets[e.stall_once].id)->stage, 2);
  const PlanRow& any = *rows.at(e.datasets[0].id);
  EXPECT_EQ(any.target_uri, "file://" + summary->dir + "/lake/v2/" + e.datasets[0].id + "/");
  EXPECT_EQ(any.source_uri, "file://" + summary->dir + "/lake/v1/" + e.datasets[0].id + "/");
  // Only the stall-once id is in faults.env; the README names every fault.
  EXPECT_EQ(ReadAll(dir.path() / "faults.env")
                    .find("GAGGLE_INJECT_FAULTS=stall-once:" + e.datasets[e.stall_once].id + "\n") != std::string::npos,
            true);
  const std::string readme = ReadAll(dir.path() / "README.txt");
  for (uint32_t i : e.bad_records) EXPECT_NE(readme.find(e.datasets[i].id), std::string::npos);
  EXPECT_NE(readme.find(e.datasets[e.schema_mismatch].id), std::string::npos);
  EXPECT_NE(readme.find(e.datasets[e.too_many_bad_records].id), std::string::npos);
  // An estate is never written over another.
  EXPECT_EQ(GenerateDemoEstate(dir.str(), o).status().code(), StatusCode::kAlreadyExists);
}

TEST(DemoEstate, TinyEstateReadsBackAndMigratesAsPlanted) {
  TempDir dir("tiny");
  DemoEstate e;
  auto summary = GenerateDemoEstate(dir.str(), Tiny(), &e);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto loaded = LoadCatalogFromPath((dir.path() / "catalog").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->catalog.num_datasets(), 30u);
  auto events = SyntheticData::Make("events", 0);
  ASSERT_TRUE(events.ok());
  const Schema& events_schema = *events->schema();

  size_t files = 0;
  uint64_t bytes = 0;
  for (const Entity& ent : loaded->catalog.entities()) {
    if (!ent.is_dataset()) continue;
    auto it = std::find_if(e.datasets.begin(), e.datasets.end(), [&](const DemoDataset& d) { return d.id == ent.id; });
    ASSERT_NE(it, e.datasets.end()) << ent.id;
    SCOPED_TRACE(ent.id);
    EXPECT_EQ(ent.format, "avro");
    EXPECT_EQ(ent.schema_version, 1);
    EXPECT_EQ(ent.size_bytes, static_cast<int64_t>(it->bytes));
    const std::string path = PathOfUri(ent.uri);
    ASSERT_TRUE(fs::is_directory(path)) << path;
    int64_t rows = 0;
    int parts = 0;
    for (const auto& f : fs::directory_iterator(path)) {
      ++parts;
      bytes += fs::file_size(f.path());
      auto reader = OpenReader(f.path().string(), Format::kAvro, ReadOptions{});
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      const Schema& schema = *(*reader)->schema();
      if (it->fault == DemoFault::kSchemaMismatch) {
        EXPECT_NE(schema, events_schema);
        EXPECT_LT(schema.FindField("amount"), 0);
        EXPECT_GE(schema.FindField("amount_usd"), 0);
      } else {
        EXPECT_EQ(schema, events_schema);
      }
      RecordBatch batch;
      while (true) {
        auto more = (*reader)->Next(&batch);
        ASSERT_TRUE(more.ok()) << more.status().ToString();
        if (!*more) break;
        rows += static_cast<int64_t>(batch.num_rows());
      }
    }
    EXPECT_EQ(parts, it->parts);
    EXPECT_EQ(rows, it->rows);
    files += static_cast<size_t>(parts);
  }
  EXPECT_EQ(files, summary->files);
  EXPECT_EQ(bytes, summary->bytes);

  // The spec migrates a normal dataset, and fails the planted ones as planted.
  auto spec = LoadMigrationSpec((dir.path() / "migration.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->fleet.concurrency, 2);
  EXPECT_EQ(spec->fleet.timeout, std::chrono::seconds(20));
  auto agent = MakeAgent(*spec);
  ASSERT_TRUE(agent.ok());
  auto migrate = [&](const DemoDataset& d) {
    AgentTask task;
    task.migration = spec->name;
    task.dataset_id = d.id;
    task.input_path = dir.str() + "/lake/v1/" + d.id;
    task.output_path = dir.str() + "/lake/v2/" + d.id;
    CancellationToken token;
    return RunAgent(agent->get(), *spec, task, &token, nullptr);
  };
  const DemoDataset* normal = nullptr;
  for (const DemoDataset& d : e.datasets) {
    if (d.fault == DemoFault::kNone) normal = &d;
  }
  ASSERT_NE(normal, nullptr);
  auto ok = migrate(*normal);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->manifest.counts.rows_in, normal->rows);
  EXPECT_EQ(ok->manifest.counts.dead_lettered, 0);
  auto too_many = migrate(e.datasets[e.too_many_bad_records]);
  EXPECT_EQ(too_many.status().code(), StatusCode::kDeadLetterLimit) << too_many.status().ToString();
  auto mismatch = migrate(e.datasets[e.schema_mismatch]);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kSchemaMismatch) << mismatch.status().ToString();
  EXPECT_NE(mismatch.status().message().find("amount_usd"), std::string::npos);
}

TEST(DemoEstate, NestedProfileWritesNestedEventsAndItsSpecMigratesThem) {
  TempDir dir("nested");
  DemoEstateOptions o = Tiny();
  o.datasets = 10;
  o.profile = "nested";
  DemoEstate e;
  auto summary = GenerateDemoEstate(dir.str(), o, &e);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const DemoDataset* normal = nullptr;
  for (const DemoDataset& d : e.datasets) {
    if (d.fault == DemoFault::kNone && (!normal || d.rows > normal->rows)) normal = &d;
  }
  ASSERT_NE(normal, nullptr);
  // The catalog states the schema the Avro reader gives: the device record as dotted columns.
  auto loaded = LoadCatalogFromPath((dir.path() / "catalog").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const std::string part = dir.str() + "/lake/v1/" + normal->id + "/part-00000.avro";
  auto reader = OpenReader(part, Format::kAvro, ReadOptions{});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->schema()->ToString(), DemoSchemaAsRead(o));
  EXPECT_EQ(DemoSchemaAsRead(o),
            "user_id: int64 not null, ts: string, amount: string, legacy_flag: bool, country: string, session: string, "
            "device.os: string, device.os_version: string, device.model: string, "
            "items: list<struct<sku:string,qty:int32,price:double>>, attrs: map<string,string>");
  for (const Entity& ent : loaded->catalog.entities()) {
    if (ent.id == normal->id) {
      EXPECT_EQ(ent.schema, DemoSchemaAsRead(o));
    }
  }

  auto spec = LoadMigrationSpec((dir.path() / "migration.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "events-nested-v2");
  auto agent = MakeAgent(*spec);
  ASSERT_TRUE(agent.ok());
  AgentTask task;
  task.migration = spec->name;
  task.dataset_id = normal->id;
  task.input_path = dir.str() + "/lake/v1/" + normal->id;
  task.output_path = dir.str() + "/lake/v2/" + normal->id;
  CancellationToken token;
  auto run = RunAgent(agent->get(), *spec, task, &token, nullptr);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->manifest.counts.rows_in, normal->rows);
  EXPECT_EQ(run->manifest.counts.dead_lettered, 0);
  for (const auto& f : fs::directory_iterator(task.output_path)) {
    if (f.path().extension() != ".parquet") continue;
    auto out = OpenReader(f.path().string(), Format::kParquet, ReadOptions{});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)->schema()->ToString(),
              "account_id: int64 not null, event_time: timestamp, amount: double, country: string, session: string, "
              "device: struct<platform:string,platform_version:string> not null, device_model: string, "
              "items: list<struct<sku:string,qty:int32,price:double>>, attrs: map<string,string>, "
              "amount_cents: double, first_sku: string, campaign: string");
  }
}

TEST(DemoEstate, SameSeedGivesByteIdenticalFiles) {
  TempDir a("same-a"), b("same-b");
  DemoEstateOptions o = Tiny();
  o.datasets = 12;
  auto sa = GenerateDemoEstate(a.str(), o);
  o.threads = 1;  // the thread count changes nothing
  auto sb = GenerateDemoEstate(b.str(), o);
  ASSERT_TRUE(sa.ok() && sb.ok());
  size_t compared = 0;
  for (const auto& f : fs::recursive_directory_iterator(a.path())) {
    if (!f.is_regular_file()) continue;
    const fs::path rel = fs::relative(f.path(), a.path());
    std::string x = ReadAll(f.path()), y = ReadAll(b.path() / rel);
    if (f.path().extension() != ".avro") {
      // Catalog and spec hold the estate's absolute directory.
      for (size_t p; (p = y.find(b.str())) != std::string::npos;) y.replace(p, b.str().size(), a.str());
    }
    EXPECT_TRUE(x == y) << rel;
    ++compared;
  }
  EXPECT_GE(compared, 12u + 5u);
}

}  // namespace
}  // namespace gaggle
