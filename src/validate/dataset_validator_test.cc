// End-to-end tests of the DatasetValidator on small generated datasets written with
// gaggle's own writers: a clean migration passes every check; each injected fault
// fails the check that should catch it.
#include "validate/dataset_validator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "agent/agent_runner.h"
#include "agent/transform_agent.h"
#include "columnar/synthetic_data.h"
#include "dataset/content_checksum.h"
#include "dataset/format_table.h"
#include "dataset/manifest.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

namespace stdfs = std::filesystem;

class DatasetValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = stdfs::temp_directory_path() /
           ("gaggle-validate-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `rows` rows of a synthetic profile into `path` (format from its extension).
  void Generate(const std::string& path, const std::string& profile, int64_t rows, uint64_t seed,
                double bad_fraction = 0) {
    auto data = SyntheticData::Make(profile, seed, bad_fraction);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    auto format = FormatFromPath(path);
    ASSERT_TRUE(format.ok());
    auto writer = OpenWriter(path, *format, data->schema(), WriteOptions{});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    RecordBatch batch;
    for (int64_t done = 0; done < rows; done += 4096) {
      data->NextBatch(static_cast<size_t>(std::min<int64_t>(4096, rows - done)), &batch);
      ASSERT_TRUE((*writer)->Write(batch).ok());
    }
    ASSERT_TRUE((*writer)->Finish().ok());
  }

  static MigrationSpec Spec(const std::string& yaml) {
    auto spec = ParseMigrationSpec(yaml, "<test>");
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? *spec : MigrationSpec{};
  }

  // Mutates one output batch before it is written (index counts batches); may
  // replace the batch's schema and columns.
  using Mutation = std::function<void(size_t index, RecordBatch* out)>;

  struct MigrateOptions {
    Mutation mutate;
    int files = 1;  // output partitions (batches go round-robin)
    std::string extension = ".parquet";
    bool dead_letters = true;  // write the rejected rows' dead-letter records
    bool manifest = true;
  };

  // Plays the agent: maps `old_path` through the spec and writes the new dataset directory.
  void Migrate(const MigrationSpec& spec, const std::string& old_path, const std::string& new_dir,
               const MigrateOptions& options) {
    stdfs::create_directories(new_dir);
    auto format = FormatFromPath(old_path);
    ASSERT_TRUE(format.ok());
    ReadOptions read_options;
    read_options.batch_rows = 3000;
    auto reader = OpenReader(old_path, *format, read_options);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto transformer = Transformer::Make(spec.transform, *(*reader)->schema());
    ASSERT_TRUE(transformer.ok()) << transformer.status().ToString();
    std::vector<std::unique_ptr<BatchWriter>> writers;
    std::shared_ptr<const Schema> written_schema;
    RecordBatch in, out;
    std::vector<RowError> rejected;
    TransformStats stats;
    std::string dead;
    ContentChecksum checksum;
    size_t index = 0;
    while (true) {
      auto more = (*reader)->Next(&in);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      rejected.clear();
      ASSERT_TRUE(transformer->Apply(in, &out, &rejected, &stats).ok());
      for (const RowError& r : rejected) dead += "{\"row\": " + std::to_string(r.row) + ", \"reason\": \"x\"}\n";
      if (options.mutate) options.mutate(index, &out);
      if (writers.empty()) {
        written_schema = out.schema;
        for (int f = 0; f < options.files; ++f) {
          auto w = OpenWriter(new_dir + "/part-" + std::to_string(f) + options.extension,
                              *FormatFromPath("x" + options.extension), written_schema, WriteOptions{});
          ASSERT_TRUE(w.ok()) << w.status().ToString();
          writers.push_back(std::move(*w));
        }
      }
      Status written = writers[index % writers.size()]->Write(out);
      ASSERT_TRUE(written.ok()) << written.ToString();
      checksum.Update(out);
      ++index;
    }
    for (auto& w : writers) ASSERT_TRUE(w->Finish().ok());
    FileSystem* fs = FileSystem::Default();
    if (options.dead_letters && !dead.empty()) {
      ASSERT_TRUE(WriteFileAtomically(fs, new_dir + "/" + kDeadLetterFileName, dead).ok());
    }
    if (options.manifest) {
      Manifest m;
      m.migration = spec.name;
      m.counts = {static_cast<int64_t>(stats.rows_in), static_cast<int64_t>(checksum.rows()),
                  static_cast<int64_t>(stats.rows_rejected), static_cast<int64_t>(stats.rows_filtered)};
      m.content_checksum = checksum.ToHex();
      if (written_schema) m.output_schema = *written_schema;
      ASSERT_TRUE(WriteFileAtomically(fs, new_dir + "/" + kManifestFileName, m.ToJson().dump()).ok());
    }
  }

  static Result<ValidationResult> Validate(const MigrationSpec& spec, const std::string& old_path,
                                           const std::string& new_path, bool parallel = true) {
    ValidateOptions options;
    options.batch_rows = 2500;  // other batch boundaries than the writer's
    options.parallel = parallel;
    return DatasetValidator(spec, options).Validate(old_path, new_path);
  }

  static const ValidationCheck* Find(const ValidationResult& r, const std::string& name,
                                     const std::string& column = "") {
    for (const ValidationCheck& c : r.checks) {
      if (c.name == name && c.column == column) return &c;
    }
    return nullptr;
  }

  static int ColumnIndex(const RecordBatch& b, const std::string& name) { return b.schema->FindField(name); }

  stdfs::path dir_;
};

constexpr const char* kRenameSpec = R"(name: bench-v2
version: 2
transform:
  rename: {value: amount}
  derive: {score2: "score * 2"}
)";

TEST_F(DatasetValidatorTest, CleanMigrationPassesEveryCheck) {
  Generate(Path("old.parquet"), "bench", 20000, 7);
  MigrationSpec spec = Spec(kRenameSpec);
  Migrate(spec, Path("old.parquet"), Path("new"), {});
  for (bool parallel : {true, false}) {
    auto r = Validate(spec, Path("old.parquet"), Path("new"), parallel);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->passed()) << r->ToText();
    EXPECT_EQ(r->old_side.rows, 20000);
    EXPECT_EQ(r->new_side.rows, 20000);
    EXPECT_EQ(r->old_side.checksum, r->new_side.checksum);
    EXPECT_FALSE(Find(*r, "manifest")->skipped);
    // Same rows in the same order: the samples coincide, KS is exactly zero.
    EXPECT_EQ(*Find(*r, "ks", "amount")->observed, 0.0);
    EXPECT_EQ(*Find(*r, "category_tv", "category")->observed, 0.0);
    ASSERT_EQ(r->new_side.columns.size(), 8u);
    EXPECT_EQ(r->new_side.columns[7].name, "score2");
    EXPECT_NEAR(r->new_side.columns[0].distinct, 20000, 600);  // id
  }
}

TEST_F(DatasetValidatorTest, PartitionedAndReorderedNewDatasetStillPasses) {
  Generate(Path("old.parquet"), "bench", 20000, 8);
  MigrationSpec spec = Spec(kRenameSpec);
  MigrateOptions options;
  options.files = 3;  // batches spread round-robin: rows in another order
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed()) << r->ToText();
  EXPECT_EQ(r->new_side.files, 3);
}

TEST_F(DatasetValidatorTest, CorruptedValueFailsTheChecksumAndNamesTheColumn) {
  Generate(Path("old.parquet"), "bench", 20000, 9);
  MigrationSpec spec = Spec(kRenameSpec);
  MigrateOptions options;
  options.manifest = false;
  options.mutate = [](size_t index, RecordBatch* out) {
    if (index == 2)
      out->columns[static_cast<size_t>(ColumnIndex(*out, "name"))] = [&] {
        Column c(DataType::String());
        const auto& old = out->columns[static_cast<size_t>(ColumnIndex(*out, "name"))];
        for (size_t i = 0; i < old.size(); ++i) {
          if (i == 17) {
            c.AppendString("corrupted!");
          } else {
            c.AppendFrom(old, i);
          }
        }
        return c;
      }();
  };
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->passed());
  EXPECT_EQ(r->FailureSummary(), "checksum") << r->ToText();
  EXPECT_NE(Find(*r, "checksum")->message.find("columns whose values differ: name"), std::string::npos)
      << Find(*r, "checksum")->message;
  EXPECT_TRUE(Find(*r, "row_count")->passed);
  EXPECT_NE(r->ToText().find("name  string  [values differ]"), std::string::npos) << r->ToText();
}

TEST_F(DatasetValidatorTest, DroppedRowsFailTheRowCount) {
  Generate(Path("old.parquet"), "bench", 20000, 10);
  MigrationSpec spec = Spec(kRenameSpec);
  MigrateOptions options;
  options.manifest = false;
  options.mutate = [](size_t index, RecordBatch* out) {
    if (index != 0) return;  // keep 2500 of the first 3000 rows: 500 lost = 2.5%
    RecordBatch kept = RecordBatch::Empty(out->schema);
    for (size_t c = 0; c < out->columns.size(); ++c) {
      for (size_t i = 0; i < 2500; ++i) kept.columns[c].AppendFrom(out->columns[c], i);
    }
    *out = std::move(kept);
  };
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ValidationCheck* rows = Find(*r, "row_count");
  EXPECT_FALSE(rows->passed);
  EXPECT_DOUBLE_EQ(*rows->observed, 0.025);
  EXPECT_NE(rows->message.find("500 rows unaccounted for"), std::string::npos) << rows->message;
  EXPECT_FALSE(Find(*r, "checksum")->passed);
}

TEST_F(DatasetValidatorTest, ShiftedDistributionFailsKs) {
  Generate(Path("old.parquet"), "bench", 30000, 11);
  MigrationSpec spec = Spec(std::string(kRenameSpec) + "gates: {checksum: false}\n");
  MigrateOptions options;
  options.manifest = false;
  options.mutate = [](size_t, RecordBatch* out) {
    auto& col = out->columns[static_cast<size_t>(ColumnIndex(*out, "amount"))];
    double* v = col.mutable_data<double>();
    for (size_t i = 0; i < col.size(); ++i) v[i] = v[i] * 1.2 + 5;
  };
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->FailureSummary(), "ks(amount)") << r->ToText();
  EXPECT_GT(*Find(*r, "ks", "amount")->observed, 0.1);
  EXPECT_TRUE(Find(*r, "checksum")->skipped);
}

TEST_F(DatasetValidatorTest, ChangedSchemaFailsTheSchemaCheck) {
  Generate(Path("old.parquet"), "bench", 5000, 12);
  MigrationSpec spec = Spec(kRenameSpec);
  MigrateOptions options;
  options.manifest = false;
  options.mutate = [](size_t, RecordBatch* out) {  // the agent forgot the rename
    std::vector<Field> fields = out->schema->fields();
    fields[static_cast<size_t>(ColumnIndex(*out, "amount"))].name = "value";
    out->schema = std::make_shared<const Schema>(fields);
  };
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ValidationCheck* schema = Find(*r, "schema");
  EXPECT_FALSE(schema->passed);
  EXPECT_NE(schema->message.find("missing column 'amount'"), std::string::npos) << schema->message;
  EXPECT_NE(schema->message.find("extra column 'value'"), std::string::npos) << schema->message;
  EXPECT_TRUE(Find(*r, "row_count")->passed);
}

constexpr const char* kEventsSpec = R"(name: events-v2
version: 2
transform:
  rename: {user_id: account_id}
  cast: {amount: double}
  filter: "amount >= 10"
)";

TEST_F(DatasetValidatorTest, TooManyDeadLettersFail) {
  Generate(Path("events.csv"), "events", 8000, 13, /*bad_fraction=*/0.05);
  MigrationSpec spec = Spec(kEventsSpec);
  Migrate(spec, Path("events.csv"), Path("new"), {});
  auto r = Validate(spec, Path("events.csv"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->FailureSummary(), "dead_letter_fraction") << r->ToText();
  EXPECT_GT(r->dead_lettered, 200);
  EXPECT_EQ(r->dead_lettered, r->rejected);
  EXPECT_GT(r->filtered, 0);
  EXPECT_TRUE(Find(*r, "row_count")->passed);
  EXPECT_EQ(*Find(*r, "row_count")->observed, 0.0);
  EXPECT_TRUE(Find(*r, "checksum")->passed);
  // With a looser gate the same migration passes.
  MigrationSpec loose = Spec(std::string(kEventsSpec) + "gates: {max_dlq_fraction: 10%}\n");
  auto again = Validate(loose, Path("events.csv"), Path("new"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->passed()) << again->ToText();
}

TEST_F(DatasetValidatorTest, LostDeadLetterFileFailsTheRowCount) {
  Generate(Path("events.csv"), "events", 8000, 14, /*bad_fraction=*/0.05);
  MigrationSpec spec = Spec(std::string(kEventsSpec) + "gates: {max_dlq_fraction: 10%}\n");
  MigrateOptions options;
  options.dead_letters = false;
  Migrate(spec, Path("events.csv"), Path("new"), options);
  auto r = Validate(spec, Path("events.csv"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->has_dead_letter_file);
  EXPECT_FALSE(Find(*r, "row_count")->passed);
  EXPECT_FALSE(Find(*r, "manifest")->passed);  // the manifest claims dead letters the data lacks
}

TEST_F(DatasetValidatorTest, TextNewSideIsTypedWithTheTargetSchema) {
  Generate(Path("old.parquet"), "bench", 6000, 15);
  MigrationSpec spec = Spec(kRenameSpec);
  MigrateOptions options;
  options.extension = ".jsonl";
  Migrate(spec, Path("old.parquet"), Path("new"), options);
  auto r = Validate(spec, Path("old.parquet"), Path("new"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed()) << r->ToText();
}

TEST_F(DatasetValidatorTest, RealAgentOutputOfAPartitionedDatasetPasses) {
  // The built-in agent migrates a two-partition events dataset; the validator agrees
  // with it on every count, the checksum and the manifest.
  stdfs::create_directories(Path("in/day=1"));
  stdfs::create_directories(Path("in/day=2"));
  Generate(Path("in/day=1/events.parquet"), "events", 3000, 21, /*bad_fraction=*/0.002);
  Generate(Path("in/day=2/events.parquet"), "events", 2000, 22, /*bad_fraction=*/0.002);
  MigrationSpec spec =
      Spec(std::string(kEventsSpec) + "dead_letter: {max_fraction: 0.01}\ngates: {max_dlq_fraction: 1%}\n");
  TransformAgent agent(spec);
  agent.set_batch_rows(700);
  AgentTask task;
  task.migration = spec.name;
  task.dataset_id = "events";
  task.input_path = Path("in");
  task.output_path = Path("out");
  CancellationToken token;
  auto run = RunAgent(&agent, spec, task, &token, nullptr);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  auto r = Validate(spec, Path("in"), Path("out"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed()) << r->ToText();
  EXPECT_EQ(r->old_side.files, 2);
  EXPECT_EQ(r->new_side.files, 2);
  EXPECT_EQ(r->old_side.rows, 5000);
  EXPECT_GT(r->dead_lettered, 0);
  EXPECT_GT(r->filtered, 0);
  ASSERT_TRUE(r->manifest.has_value());
  EXPECT_EQ(r->manifest->content_checksum, r->new_side.checksum);
  EXPECT_FALSE(Find(*r, "manifest")->skipped);
  EXPECT_TRUE(Find(*r, "manifest")->passed) << Find(*r, "manifest")->message;
}

TEST_F(DatasetValidatorTest, UnreadableInputsAreTypedErrors) {
  MigrationSpec spec = Spec(kRenameSpec);
  auto missing = Validate(spec, Path("nope.parquet"), Path("new"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("old dataset"), std::string::npos);

  ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), Path("junk.parquet"), "this is not parquet at all").ok());
  Generate(Path("old.parquet"), "bench", 100, 16);
  auto junk_old = Validate(spec, Path("junk.parquet"), Path("old.parquet"));
  EXPECT_EQ(junk_old.status().code(), StatusCode::kCorruption) << junk_old.status().ToString();
  auto junk_new = Validate(spec, Path("old.parquet"), Path("junk.parquet"));
  EXPECT_EQ(junk_new.status().code(), StatusCode::kCorruption) << junk_new.status().ToString();
  EXPECT_NE(junk_new.status().message().find("new dataset"), std::string::npos);

  MigrationSpec wrong = Spec("name: x\nversion: 1\ntransform: {rename: {no_such_column: y}}\n");
  auto bad_spec = Validate(wrong, Path("old.parquet"), Path("old.parquet"));
  EXPECT_EQ(bad_spec.status().code(), StatusCode::kSchemaMismatch) << bad_spec.status().ToString();
}

TEST_F(DatasetValidatorTest, CountDeadLettersCountsNonEmptyLines) {
  ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), Path("d.jsonl"), "{}\n\n{\"a\": 1}\n  \n{}").ok());
  auto n = CountDeadLetters(FileSystem::Default(), Path("d.jsonl"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
}

}  // namespace
}  // namespace gaggle
