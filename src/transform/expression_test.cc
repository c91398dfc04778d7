#include "transform/expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "spec/expression_parser.h"
#include "transform/cast.h"
#include "transform/column_take.h"

namespace gaggle {
namespace {

using ::testing::HasSubstr;

TEST(ExpressionParser, CanonicalTextIsStable) {
  const char* pairs[][2] = {
      {"a+b*c", "(a + (b * c))"},
      {"(a + b) * c", "((a + b) * c)"},
      {"a - b - c", "((a - b) - c)"},
      {"NOT a = 1 AND b OR c", "(((not (a = 1)) and b) or c)"},
      {"x IS NOT NULL", "(x is not null)"},
      {"a == 1", "(a = 1)"},
      {"a != 1", "(a <> 1)"},
      {"-a", "(-(a))"},
      {"-5", "-5"},
      {"- 5.0", "-5.0"},
      {"1e3", "1000.0"},
      {"'it''s'", "'it''s'"},
      {"\"my col\" + \"and\"", "(\"my col\" + \"and\")"},
      {"COALESCE(a, NULL, TRUE)", "coalesce(a, null, true)"},
      {"Cast(a AS Decimal(10, 2))", "cast(a as decimal(10,2))"},
      {"device . os", "device.os"},
      {"items[0].sku", "items[0].sku"},
      {"attrs['it''s'] = 'x'", "(attrs['it''s'] = 'x')"},
      {"d.\"first name\".x[2][3]", "d.\"first name\".x[2][3]"},
      {"upper(d.os) + 0.5", "(upper(d.os) + 0.5)"},
  };
  for (const auto& p : pairs) {
    auto e = ParseExpression(p[0]);
    ASSERT_TRUE(e.ok()) << p[0] << ": " << e.status().ToString();
    std::string text = ExprToString(**e);
    EXPECT_EQ(text, p[1]) << p[0];
    auto again = ParseExpression(text);
    ASSERT_TRUE(again.ok()) << text;
    EXPECT_EQ(ExprToString(**again), text);
  }
}

TEST(ExpressionParser, NestedAccessSyntaxErrorsNameWhatIsMissing) {
  auto expect = [](const char* text, const char* what) {
    auto e = ParseExpression(text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_THAT(e.status().message(), HasSubstr(what)) << text;
  };
  expect("device.", "expected a field name after '.'");
  expect("items[a]", "expected an integer index or a 'string' key");
  expect("items[-1]", "expected an integer index or a 'string' key");
  expect("items[0", "expected ']' after the index");
  expect("device.1", "unexpected");
}

TEST(ExpressionParser, DeepOrHugeInputIsAnErrorNotACrash) {
  std::string deep = std::string(10000, '(') + "a" + std::string(10000, ')');
  auto r = ParseExpression(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested too deeply"));
  std::string chain = "a";
  for (int i = 0; i < 5000; ++i) chain += " + a";
  r = ParseExpression(chain);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested deeper than"));
  r = ParseExpression(std::string(10000, '-') + "a");
  EXPECT_FALSE(r.ok());
  r = ParseExpression(std::string(kMaxExpressionBytes + 1, ' '));
  EXPECT_FALSE(r.ok());
  // The canonical text of any accepted tree parses back (it adds parentheses).
  std::string unary = "a";
  for (int i = 0; i < kMaxExpressionDepth - 1; ++i) unary = (i % 2 ? "not (" : "-(") + unary + ")";
  auto parsed = ParseExpression(unary);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto back = ParseExpression(ExprToString(**parsed));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ExprToString(**back), ExprToString(**parsed));
  std::string ok_chain = "a";
  for (int i = 0; i < 100; ++i) ok_chain += " + a";
  EXPECT_TRUE(ParseExpression(ok_chain).ok());
}

TEST(CompiledExpression, ReportsAllProblemsWithCodes) {
  Schema s = *ParseSchemaText("a: int64, s: string");
  std::vector<ExpressionProblem> problems;
  auto c = CompiledExpression::Compile("b + s + upper(a)", s, &problems);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kSchemaMismatch);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].offset, 0u);
  EXPECT_EQ(problems[0].code, StatusCode::kSchemaMismatch);
  EXPECT_EQ(problems[1].offset, 8u);
  EXPECT_EQ(problems[1].code, StatusCode::kTypeError);
  EXPECT_EQ(c.status().message(),
            "column 1: unknown column 'b'\n"
            "column 9: upper() needs a string, got int64 (convert with cast(x as string))");
  auto ok = CompiledExpression::Compile("a * 2 + length(s)", s);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->columns(), (std::vector<int>{0, 1}));
  EXPECT_EQ(ok->type(), DataType::Int64());
}

// Random columns with nulls, zeros and extremes.
std::vector<Column> RandomColumns(const Schema& schema, size_t rows, std::mt19937_64* rng) {
  std::vector<Column> cols;
  for (const Field& f : schema.fields()) {
    Column text(DataType::String());
    for (size_t i = 0; i < rows; ++i) {
      uint64_t r = (*rng)() % 20;
      if (r == 0) {
        text.AppendNull();
        continue;
      }
      switch (f.type.id) {
        case TypeId::kInt64:
          text.AppendString(r == 1   ? "9223372036854775807"
                            : r == 2 ? "-9223372036854775808"
                            : r == 3 ? "0"
                                     : std::to_string(static_cast<int64_t>((*rng)() % 2001) - 1000));
          break;
        case TypeId::kInt32:
          text.AppendString(r == 1   ? "2147483647"
                            : r == 2 ? "0"
                                     : std::to_string(static_cast<int64_t>((*rng)() % 201) - 100));
          break;
        case TypeId::kDouble:
          text.AppendString(r == 1 ? "0" : r == 2 ? "nan" : std::to_string(((*rng)() % 10000) / 100.0 - 50));
          break;
        case TypeId::kDecimal:
          text.AppendString(std::to_string(static_cast<int64_t>((*rng)() % 20001) - 10000) + ".25");
          break;
        case TypeId::kBool: text.AppendString(r % 2 ? "true" : "false"); break;
        case TypeId::kDate: text.AppendString(r % 2 ? "2024-01-01" : "1999-12-31"); break;
        default: text.AppendString(r % 3 == 0 ? "" : r % 3 == 1 ? "Abc" : " x "); break;
      }
    }
    std::vector<RowError> errors;
    cols.push_back(*CastColumn(text, f.type, &errors));
  }
  return cols;
}

// A random expression over the schema's columns (it may not type-check).
std::string RandomExpression(std::mt19937_64* rng, int depth) {
  static const char* kLeaves[] = {"a", "b",  "d",   "m",    "t",   "s",    "dt",          "0",
                                  "1", "-3", "2.5", "null", "'x'", "true", "'2024-01-01'"};
  static const char* kBinary[] = {"+", "-", "*", "/", "=", "<>", "<", ">=", "and", "or"};
  if (depth <= 0 || (*rng)() % 4 == 0) return kLeaves[(*rng)() % std::size(kLeaves)];
  std::string x = RandomExpression(rng, depth - 1), y = RandomExpression(rng, depth - 1);
  switch ((*rng)() % 9) {
    case 0: return "not " + x;
    case 1: return x + " is null";
    case 2: return "coalesce(" + x + ", " + y + ")";
    case 3: return "if(" + x + " > " + y + ", " + x + ", " + y + ")";
    case 4: return "abs(" + x + ")";
    case 5: return "cast(" + x + " as int64)";
    case 6: return "concat(" + x + ", " + y + ")";
    default: return "(" + x + " " + kBinary[(*rng)() % std::size(kBinary)] + " " + y + ")";
  }
}

// The vectorized evaluation of a batch equals evaluating each row alone:
// same value, same null, same rows in error.
TEST(CompiledExpression, BatchEvaluationEqualsRowByRow) {
  Schema schema = *ParseSchemaText("a: int64, b: int32, d: double, m: decimal(10,2), t: bool, s: string, dt: date");
  std::mt19937_64 rng(42);
  const size_t kRows = 64;
  std::vector<Column> cols = RandomColumns(schema, kRows, &rng);
  std::vector<const Column*> inputs;
  for (const Column& c : cols) inputs.push_back(&c);
  int compiled = 0;
  for (int iter = 0; iter < 3000 && compiled < 400; ++iter) {
    std::string text = RandomExpression(&rng, 4);
    auto e = CompiledExpression::Compile(text, schema);
    if (!e.ok()) continue;
    ++compiled;
    std::vector<RowError> errors;
    Column batch = e->Evaluate(inputs, kRows, &errors);
    ASSERT_EQ(batch.size(), kRows) << text;
    std::vector<bool> batch_error(kRows, false);
    for (const RowError& r : errors) batch_error[r.row] = true;
    for (size_t i = 0; i < kRows; ++i) {
      std::vector<Column> one;
      for (const Column& c : cols) one.push_back(TakeRows(c, {static_cast<uint32_t>(i)}));
      std::vector<const Column*> one_inputs;
      for (const Column& c : one) one_inputs.push_back(&c);
      std::vector<RowError> row_errors;
      Column single = e->Evaluate(one_inputs, 1, &row_errors);
      ASSERT_EQ(batch_error[i], !row_errors.empty()) << text << " row " << i;
      ASSERT_EQ(batch.ValueToString(i), single.ValueToString(0)) << text << " row " << i;
    }
  }
  EXPECT_GT(compiled, 100);
}

TEST(CompiledExpression, ConcurrentEvaluationIsSafe) {
  Schema schema = *ParseSchemaText("a: int64, s: string");
  auto e = CompiledExpression::Compile("if(a > 0, concat(upper(s), a), coalesce(s, 'none'))", schema);
  ASSERT_TRUE(e.ok());
  std::mt19937_64 rng(3);
  std::vector<Column> cols = RandomColumns(schema, 5000, &rng);
  std::vector<const Column*> inputs = {&cols[0], &cols[1]};
  std::vector<RowError> errors;
  Column expected = e->Evaluate(inputs, 5000, &errors);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 20; ++k) {
        std::vector<RowError> errs;
        Column got = e->Evaluate(inputs, 5000, &errs);
        for (size_t i = 0; i < got.size(); i += 97) mismatches += got.ValueToString(i) != expected.ValueToString(i);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace gaggle
