// libFuzzer target: any text through the expression parser, the type checker
// and the evaluator (over a small fixed batch). Also checks that the canonical
// rendering of a parsed expression reads back to the same rendering. The batch has nested
// columns too (n.k, l[0], p['a']).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "spec/expression_parser.h"
#include "transform/cast.h"
#include "transform/expression.h"

namespace {

struct Batch {
  gaggle::Schema schema;
  std::vector<gaggle::Column> columns;
  std::vector<const gaggle::Column*> inputs;
};

// n: struct<k:string,v:int64>, l: list<int64>, p: map<string,int64>, four rows with nulls at
// every level, for field, element and map-value access.
void AddNestedColumns(Batch* b) {
  using gaggle::DataType;
  gaggle::Column n(DataType::Struct({{"k", DataType::String()}, {"v", DataType::Int64()}}));
  gaggle::Column l(DataType::List(DataType::Int64()));
  gaggle::Column p(DataType::Map(DataType::String(), DataType::Int64()));
  auto entry = [&p](const char* k, int64_t v) {
    p.child(0).child(0).AppendString(k);
    p.child(0).child(1).Append<int64_t>(v);
    p.child(0).CommitStruct();
  };
  n.child(0).AppendString("a");
  n.child(1).Append<int64_t>(1);
  n.CommitStruct();
  l.child(0).Append<int64_t>(1);
  l.child(0).Append<int64_t>(2);
  l.CommitList();
  entry("a", 1);
  p.CommitList();
  n.AppendNull();
  l.CommitList();
  p.CommitList();
  n.child(0).AppendNull();
  n.child(1).AppendNull();
  n.CommitStruct();
  l.AppendNull();
  p.AppendNull();
  n.child(0).AppendString("b");
  n.child(1).Append<int64_t>(2);
  n.CommitStruct();
  l.child(0).AppendNull();
  l.child(0).Append<int64_t>(3);
  l.CommitList();
  entry("a", 2);
  entry("b", 3);
  p.CommitList();
  for (gaggle::Column* c : {&n, &l, &p}) {
    b->schema.AddField({c == &n ? "n" : c == &l ? "l" : "p", c->type()});
    b->columns.push_back(std::move(*c));
  }
}

const Batch& FixedBatch() {
  static const Batch* batch = [] {
    auto* b = new Batch;
    b->schema = *gaggle::ParseSchemaText(
        "a: int64, b: int32, d: double, f: float, m: decimal(10,2), t: bool, s: string, x: binary, dt: date, ts: "
        "timestamp");
    const char* rows[][10] = {
        {"1", "2", "0.5", "1.5", "3.25", "true", "abc", "ab", "2024-01-01", "2024-01-01T00:00:00Z"},
        {"9223372036854775807", "-2147483648", "nan", "-inf", "-99999999.99", "false", "", "", "1970-01-01",
         "1969-12-31T23:59:59Z"},
        {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
        {"0", "0", "0", "0", "0", "true", "2024-02-29", "ff", "0001-01-01", "9999-12-31T23:59:59Z"},
    };
    for (size_t c = 0; c < b->schema.num_fields(); ++c) {
      gaggle::Column text(gaggle::DataType::String());
      for (const auto& row : rows) {
        if (row[c] == nullptr) {
          text.AppendNull();
        } else {
          text.AppendString(row[c]);
        }
      }
      std::vector<gaggle::RowError> errors;
      b->columns.push_back(*gaggle::CastColumn(text, b->schema.field(c).type, &errors));
    }
    AddNestedColumns(b);
    for (const auto& c : b->columns) b->inputs.push_back(&c);
    return b;
  }();
  return *batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = gaggle::ParseExpression(text);
  if (parsed.ok()) {
    std::string canonical = gaggle::ExprToString(**parsed);
    auto again = gaggle::ParseExpression(canonical);
    if (!again.ok() || gaggle::ExprToString(**again) != canonical) __builtin_trap();
  }
  const Batch& batch = FixedBatch();
  auto compiled = gaggle::CompiledExpression::Compile(text, batch.schema);
  if (compiled.ok()) {
    std::vector<gaggle::RowError> errors;
    gaggle::Column out = compiled->Evaluate(batch.inputs, batch.columns[0].size(), &errors);
    if (out.size() != batch.columns[0].size() || out.type() != compiled->type()) __builtin_trap();
  }
  return 0;
}
