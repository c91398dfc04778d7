#include "transform/transformer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "transform/cast.h"

namespace gaggle {
namespace {

using ::testing::HasSubstr;

// A batch from text values read with the cast rules ("null" is null).
RecordBatch MakeBatch(const std::string& schema_text, const std::vector<std::vector<std::string>>& rows) {
  auto schema = ParseSchemaText(schema_text);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  RecordBatch b;
  b.schema = std::make_shared<const Schema>(*schema);
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    Column text(DataType::String());
    for (const auto& row : rows) {
      if (row[c] == "null") {
        text.AppendNull();
      } else {
        text.AppendString(row[c]);
      }
    }
    std::vector<RowError> errors;
    auto col = CastColumn(text, schema->field(c).type, &errors);
    EXPECT_TRUE(col.ok() && errors.empty());
    b.columns.push_back(std::move(col).value());
  }
  return b;
}

std::vector<std::string> Row(const RecordBatch& b, size_t i) {
  std::vector<std::string> out;
  for (const Column& c : b.columns) out.push_back(c.ValueToString(i));
  return out;
}

TransformSpec SpecFromYaml(const std::string& transform_yaml) {
  auto spec = ParseMigrationSpec("name: t\nversion: 2\ntransform:\n" + transform_yaml, "events.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? spec->transform : TransformSpec{};
}

// Applies and checks the accounting invariant every caller relies on.
void ApplyChecked(const Transformer& t, const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejected,
                  TransformStats* stats) {
  TransformStats before = *stats;
  size_t rejected_before = rejected->size();
  Status st = t.Apply(in, out, rejected, stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(out->Validate().ok()) << out->Validate().ToString();
  EXPECT_EQ(*out->schema, *t.output_schema());
  uint64_t n_in = stats->rows_in - before.rows_in, n_out = stats->rows_out - before.rows_out;
  uint64_t n_rej = stats->rows_rejected - before.rows_rejected, n_filt = stats->rows_filtered - before.rows_filtered;
  EXPECT_EQ(n_in, in.num_rows());
  EXPECT_EQ(n_out, out->num_rows());
  EXPECT_EQ(n_rej, rejected->size() - rejected_before);
  EXPECT_EQ(n_in, n_out + n_rej + n_filt);
  for (size_t i = rejected_before + 1; i < rejected->size(); ++i) EXPECT_LT((*rejected)[i - 1].row, (*rejected)[i].row);
}

const char* kIssueTransform = R"yaml(  rename: {user_id: account_id, ts: event_time}
  cast:   {amount: double, event_time: timestamp}
  drop:   [legacy_flag]
  add:    {region: {type: string, default: "unknown"}}
  derive: {amount_cents: "amount * 100"}
  filter: "amount >= 0"
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool}
  required: [account_id]
)yaml";

TEST(Transformer, IssueExampleEndToEnd) {
  RecordBatch in = MakeBatch("user_id: int64, ts: string, amount: string, legacy_flag: bool",
                             {{"1", "2024-01-02T03:04:05Z", "12.5", "true"},
                              {"2", "2024-01-02", "abc", "false"},     // amount does not parse: rejected
                              {"3", "2024-01-03", "-1", "null"},       // negative: filtered
                              {"4", "2024-01-04", "null", "true"},     // null amount: filter is null, filtered
                              {"5", "yesterday", "3", "true"},         // bad timestamp: rejected
                              {"null", "2024-01-05", "0", "false"}});  // null into required: rejected
  auto t = Transformer::Make(SpecFromYaml(kIssueTransform), *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->output_schema()->ToString(),
            "account_id: int64 not null, event_time: timestamp, amount: double, region: string not null, amount_cents: "
            "double");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(Row(out, 0), (std::vector<std::string>{"1", "2024-01-02T03:04:05Z", "12.5", "unknown", "1250"}));
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].reason, "transform.cast.amount: cannot parse 'abc' as double");
  EXPECT_EQ(rejected[1].row, 4u);
  EXPECT_EQ(rejected[1].reason, "transform.cast.event_time: cannot parse 'yesterday' as timestamp");
  EXPECT_EQ(rejected[2].row, 5u);
  EXPECT_EQ(rejected[2].reason, "transform.required: column 'account_id' is null");
  EXPECT_EQ(stats.rows_in, 6u);
  EXPECT_EQ(stats.rows_out, 1u);
  EXPECT_EQ(stats.rows_rejected, 3u);
  EXPECT_EQ(stats.rows_filtered, 2u);
}

TEST(Transformer, ListsEveryProblemAtOnce) {
  Schema source = *ParseSchemaText("id: int64, name: string, born: date, score: double");
  TransformSpec spec = SpecFromYaml(R"yaml(  rename: {nam: full_name, id: name}
  cast: {born: bool, id: string, nope: int64}
  drop: [scroe]
  add: {score: {type: int64, default: "x"}}
  derive: {id2: "id * 2", name: "1", bad: "score + born", worse: "upper(score)"}
  filter: "score"
  required: [missing]
)yaml");
  auto t = Transformer::Make(spec, source);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kSchemaMismatch);  // unknown columns: the data lacks what the spec names
  const std::string m = t.status().message();
  const char* expected[] = {
      "events.yaml:4:12: transform.rename.nam: unknown column 'nam' (did you mean 'name'?)",
      "events.yaml:4:28: transform.rename.id: renaming 'id' to 'name' makes a duplicate column: the source already has "
      "'name'",
      "events.yaml:5:10: transform.cast.born: column 'born': cannot cast date to bool",
      "events.yaml:5:22: transform.cast.id: unknown column 'id' (it is renamed to 'name'; use the new name)",
      "events.yaml:5:34: transform.cast.nope: unknown column 'nope'",
      "events.yaml:6:10: transform.drop[0]: unknown column 'scroe' (did you mean 'score'?)",
      "events.yaml:7:9: transform.add.score: the output already has a column 'score' (add cannot replace a column "
      "unless it is dropped)",
      "events.yaml:8:17: transform.derive.id2: column 1: unknown column 'id' in \"id * 2\"",
      "events.yaml:8:33: transform.derive.name: the output already has a column 'name'",
      "events.yaml:8:43: transform.derive.bad: column 1: cannot apply '+' to date 'born' in \"score + born\"",
      "events.yaml:8:66: transform.derive.worse: column 1: upper() needs a string, got double",
      "events.yaml:9:11: transform.filter: the filter must be a bool expression, got double",
      "events.yaml:10:14: transform.required[0]: 'missing' is not an output column",
  };
  for (const char* want : expected) EXPECT_THAT(m, HasSubstr(want));
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n') + 1, static_cast<long>(std::size(expected))) << m;
}

TEST(Transformer, ErrorCodesSayWhatKindOfProblem) {
  Schema source = *ParseSchemaText("a: int64, b: date");
  auto t = Transformer::Make(SpecFromYaml("  cast: {b: double}\n  derive: {c: \"a + 'x'\"}\n"), source);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kTypeError);
  t = Transformer::Make(SpecFromYaml("  derive: {a: \"1\"}\n"), source);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  t = Transformer::Make(SpecFromYaml("  drop: [a, b]\n"), source);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("the output has no columns"));
  t = Transformer::Make(SpecFromYaml("  add: {x: {type: int64, default: \"1.5\"}}\n"), source);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("events.yaml:4:35: transform.add.x.default: default '1.5' is not a valid "
                                              "int64: cannot parse '1.5' as int64"));
  t = Transformer::Make(SpecFromYaml("  add: {x: int64}\n  required: [x]\n"), source);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("'x' is required but added without a default (always null)"));
}

TEST(Transformer, SourceSchemaMismatchListsEachDifference) {
  Schema actual = *ParseSchemaText("a: int64, b: int32, d: double");
  auto t = Transformer::Make(SpecFromYaml("  source_schema: {a: int64, b: string, c: bool}\n"), actual);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_EQ(t.status().message(),
            "events.yaml:4:29: transform.source_schema.b: column 'b' is int32, declared string\n"
            "events.yaml:4:40: transform.source_schema.c: missing column 'c' (declared bool)\n"
            "events.yaml:4:3: transform.source_schema: extra column 'd' (double) is not declared");
  // Same columns in another order is not a mismatch.
  EXPECT_TRUE(Transformer::Make(SpecFromYaml("  source_schema: {d: double, b: int32, a: int64}\n"), actual).ok());
}

TEST(Transformer, RenamesAreSimultaneousAndCastsUseNewNames) {
  RecordBatch in = MakeBatch("a: int64, b: string", {{"1", "x"}, {"2", "y"}});
  auto t = Transformer::Make(SpecFromYaml("  rename: {a: b, b: a}\n  cast: {b: string}\n"), *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->output_schema()->ToString(), "b: string, a: string");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  EXPECT_EQ(Row(out, 1), (std::vector<std::string>{"2", "y"}));
}

TEST(Transformer, ExpressionsSeeDroppedColumnsAndCanReplaceThem) {
  RecordBatch in = MakeBatch("id: int64, email: string", {{"1", "Ada@Example.COM"}, {"2", "null"}});
  auto t = Transformer::Make(
      SpecFromYaml("  drop: [email]\n  derive: {email: \"lower(email)\", domain_len: \"length(email)\"}\n"),
      *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->output_schema()->ToString(), "id: int64, email: string, domain_len: int64");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  EXPECT_EQ(Row(out, 0), (std::vector<std::string>{"1", "ada@example.com", "15"}));
  EXPECT_EQ(Row(out, 1), (std::vector<std::string>{"2", "null", "null"}));
}

TEST(Transformer, FiltersAndRenamesKeepWideDecimalsAndNaiveTimestamps) {
  // 128-bit decimals must survive the row gather of a filter whole (not their low 8 bytes).
  RecordBatch in = MakeBatch("k: int64, d: decimal(38,2), ts: timestamp_ntz",
                             {{"1", "123456789012345678901234567890.12", "2024-01-02T03:04:05"},
                              {"2", "-1.00", "1999-12-31T23:59:59"},
                              {"3", "-99999999999999999999999999999999999.99", "null"}});
  auto t = Transformer::Make(SpecFromYaml("  rename: {d: amount}\n  filter: \"k <> 2\"\n"), *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->output_schema()->ToString(), "k: int64, amount: decimal(38,2), ts: timestamp_ntz");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  ASSERT_EQ(out.num_rows(), 2u);
  EXPECT_EQ(Row(out, 0), (std::vector<std::string>{"1", "123456789012345678901234567890.12", "2024-01-02T03:04:05"}));
  EXPECT_EQ(Row(out, 1), (std::vector<std::string>{"3", "-99999999999999999999999999999999999.99", "null"}));
}

TEST(Transformer, FilterErrorsRejectAndDeriveSeesOnlyKeptRows) {
  RecordBatch in = MakeBatch("a: int64, b: int64", {{"10", "2"}, {"10", "0"}, {"1", "5"}, {"null", "0"}});
  // The filter removes b = 0 first, so a / b never divides by zero.
  auto t = Transformer::Make(SpecFromYaml("  derive: {q: \"a / b\"}\n  filter: \"b <> 0\"\n"), *in.schema);
  ASSERT_TRUE(t.ok());
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  EXPECT_TRUE(rejected.empty());
  ASSERT_EQ(out.num_rows(), 2u);
  EXPECT_EQ(Row(out, 0), (std::vector<std::string>{"10", "2", "5"}));
  EXPECT_EQ(Row(out, 1), (std::vector<std::string>{"1", "5", "0.2"}));
  EXPECT_EQ(stats.rows_filtered, 2u);

  // An error inside the filter rejects the row; it is not filtered.
  t = Transformer::Make(SpecFromYaml("  filter: \"a / b > 1\"\n"), *in.schema);
  ASSERT_TRUE(t.ok());
  rejected.clear();
  stats = {};
  ApplyChecked(*t, in, &out, &rejected, &stats);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].reason, "transform.filter: division by zero in 'a / b'");
  EXPECT_EQ(stats.rows_out, 1u);       // 10 / 2
  EXPECT_EQ(stats.rows_filtered, 2u);  // 1 / 5 is not > 1; null / 0 is null

  // Without the filter the derive error rejects that row, the others pass.
  t = Transformer::Make(SpecFromYaml("  derive: {q: \"a / b\"}\n"), *in.schema);
  ASSERT_TRUE(t.ok());
  rejected.clear();
  stats = {};
  ApplyChecked(*t, in, &out, &rejected, &stats);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].reason, "transform.derive.q: division by zero in 'a / b'");
  ASSERT_EQ(out.num_rows(), 3u);
  EXPECT_EQ(Row(out, 2), (std::vector<std::string>{"null", "0", "null"}));
}

TEST(Transformer, AddedColumnsAreTypedConstants) {
  RecordBatch in = MakeBatch("a: int64", {{"1"}, {"2"}, {"3"}});
  auto t = Transformer::Make(SpecFromYaml(R"yaml(  add:
    since: {type: date, default: "2024-01-01"}
    n: {type: "decimal(6,2)", default: 1.5}
    flag: {type: bool, default: yes}
    note: string
)yaml"),
                             *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->output_schema()->ToString(),
            "a: int64, since: date not null, n: decimal(6,2) not null, flag: bool not null, note: string");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Row(out, i), (std::vector<std::string>{std::to_string(i + 1), "2024-01-01", "1.50", "true", "null"}));
  }
}

TEST(Transformer, ApplyRefusesABatchOfAnotherShape) {
  RecordBatch in = MakeBatch("a: int64", {{"1"}});
  auto t = Transformer::Make(TransformSpec{}, *ParseSchemaText("a: string"));
  ASSERT_TRUE(t.ok());
  RecordBatch out;
  std::vector<RowError> rejected;
  Status st = t->Apply(in, &out, &rejected);
  EXPECT_EQ(st.code(), StatusCode::kSchemaMismatch);
  EXPECT_THAT(st.message(), HasSubstr("expected 'a' string"));
}

TEST(Transformer, EmptyBatchAndIdentity) {
  RecordBatch in = MakeBatch("a: int64, s: string", {});
  auto t = Transformer::Make(TransformSpec{}, *in.schema);
  ASSERT_TRUE(t.ok());
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ApplyChecked(*t, in, &out, &rejected, &stats);
  EXPECT_EQ(out.num_rows(), 0u);
  EXPECT_EQ(out.num_columns(), 2u);
}

// Random data through several specs: every row is accounted for exactly once,
// and the output rows are exactly the input rows that were neither rejected nor filtered.
TEST(Transformer, RowAccountingHoldsOnRandomData) {
  std::mt19937_64 rng(7);
  const char* specs[] = {
      "  cast: {s: int64}\n  derive: {q: \"n / (s - 5)\"}\n  filter: \"n % 2 = 0\"\n",  // invalid: no %
      "  cast: {s: int64}\n  derive: {q: \"n / (s - 5)\", r: \"n * 3037000500\"}\n  filter: \"s > 2 or n is null\"\n  "
      "required: [r]\n",
      "  rename: {n: m}\n  cast: {s: \"decimal(6,1)\"}\n  derive: {k: \"coalesce(m, 0) + 1\"}\n  filter: \"s * 2 < "
      "10\"\n",
      "  drop: [s]\n  derive: {len: \"length(concat(s, m))\"}\n  rename: {n: m}\n",
  };
  Schema schema = *ParseSchemaText("n: int64, s: string");
  int ran = 0;
  for (const char* yaml : specs) {
    auto spec = ParseMigrationSpec(std::string("name: t\nversion: 1\ntransform:\n") + yaml, "r.yaml");
    if (!spec.ok()) continue;  // the first one does not parse (no % operator)
    auto t = Transformer::Make(spec->transform, schema);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ++ran;
    TransformStats stats;
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<std::vector<std::string>> rows;
      size_t n = rng() % 300;
      for (size_t i = 0; i < n; ++i) {
        std::string num = rng() % 10 == 0 ? "null"
                                          : std::to_string(static_cast<int64_t>(rng() % 2000000) - 1000000) +
                                                (rng() % 3 == 0 ? "000000" : "");
        std::string s = rng() % 10 == 0 ? "null" : rng() % 10 == 0 ? "x" : std::to_string(rng() % 10);
        rows.push_back({num, s});
      }
      RecordBatch in = MakeBatch("n: int64, s: string", rows);
      RecordBatch out;
      std::vector<RowError> rejected;
      ApplyChecked(*t, in, &out, &rejected, &stats);
      for (const RowError& r : rejected) EXPECT_FALSE(r.reason.empty());
    }
    EXPECT_GT(stats.rows_in, 0u);
  }
  EXPECT_EQ(ran, 3);
}

// Throughput (run with --gtest_also_run_disabled_tests): 10M rows of
// (user_id int64, ts int32 days, amount int64, legacy int64) through 3 renames,
// 2 casts, 1 derive and a filter; and plain int64 arithmetic.
TEST(Transformer, DISABLED_Throughput) {
  const size_t kBatch = 64 * 1024, kRows = 10 * 1000 * 1000;
  RecordBatch in;
  in.schema =
      std::make_shared<const Schema>(*ParseSchemaText("user_id: int64, day: date, amount: int64, legacy: int32"));
  for (const Field& f : in.schema->fields()) in.columns.emplace_back(f.type);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < kBatch; ++i) {
    in.columns[0].Append<int64_t>(static_cast<int64_t>(i));
    in.columns[1].Append<int32_t>(static_cast<int32_t>(19000 + i % 365));
    in.columns[2].Append<int64_t>(static_cast<int64_t>(rng() % 100000) - 1000);
    in.columns[3].Append<int32_t>(static_cast<int32_t>(i & 1));
  }
  auto t = Transformer::Make(SpecFromYaml(R"yaml(  rename: {user_id: account_id, day: event_day, legacy: legacy_flag}
  cast: {event_day: timestamp, legacy_flag: int64}
  derive: {amount_cents: "amount * 100"}
  filter: "amount >= 0"
)yaml"),
                             *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  auto start = std::chrono::steady_clock::now();
  for (size_t done = 0; done < kRows; done += kBatch) ASSERT_TRUE(t->Apply(in, &out, &rejected, &stats).ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("transform: %llu rows in %.3f s = %.1f M rows/s (out %llu, filtered %llu)\n",
              static_cast<unsigned long long>(stats.rows_in), secs, stats.rows_in / secs / 1e6,
              static_cast<unsigned long long>(stats.rows_out), static_cast<unsigned long long>(stats.rows_filtered));

  auto expr = CompiledExpression::Compile("amount * 100 + user_id", *in.schema);
  ASSERT_TRUE(expr.ok());
  std::vector<const Column*> inputs = {&in.columns[0], &in.columns[1], &in.columns[2], &in.columns[3]};
  std::vector<RowError> errors;
  start = std::chrono::steady_clock::now();
  int64_t sink = 0;
  for (size_t done = 0; done < kRows; done += kBatch) sink += expr->Evaluate(inputs, kBatch, &errors).Get<int64_t>(7);
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("expression 'amount * 100 + user_id': %.1f M rows/s (%lld)\n", kRows / secs / 1e6,
              static_cast<long long>(sink));

  Column text(DataType::String());
  for (size_t i = 0; i < kBatch; ++i)
    text.AppendString(std::to_string(rng() % 1000000) + "." + std::to_string(rng() % 100));
  start = std::chrono::steady_clock::now();
  for (size_t done = 0; done < kRows; done += kBatch) ASSERT_TRUE(CastColumn(text, DataType::Double(), &errors).ok());
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("cast string -> double: %.1f M rows/s\n", kRows / secs / 1e6);
}

}  // namespace
}  // namespace gaggle
