#include "formats/csv/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dataset/format_table.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_text::MemoryInput;
using testing_text::ReadAll;
using testing_text::Rows;
using testing_text::ScratchDir;
using testing_text::WriteText;

// Reads CSV text from a real file through the public entry point.
struct Opened {
  Status status;
  std::shared_ptr<const Schema> schema;
  RecordBatch table;
};

Opened ReadCsv(const ScratchDir& dir, const std::string& text, ReadOptions options = {}) {
  std::string path = dir.File("in.csv");
  WriteText(path, text);
  Opened out;
  auto reader = OpenReader(path, Format::kCsv, options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  out.schema = (*reader)->schema();
  auto table = ReadAll(reader->get());
  if (!table.ok()) {
    out.status = table.status();
    return out;
  }
  out.table = std::move(*table);
  return out;
}

Schema MakeSchema(std::vector<Field> fields) { return Schema(std::move(fields)); }

TEST(CsvReader, InfersTheNarrowestTypePerColumn) {
  ScratchDir dir;
  Opened r = ReadCsv(dir,
                     "i,d,b,day,ts,s,nothing,bits\n"
                     "1,1.5,true,2024-01-02,2024-01-02T03:04:05Z,x,,0\n"
                     "-7,2,FALSE,1969-12-31,2024-01-02,y,,1\n"
                     ",,,,,,,\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.schema->ToString(),
            "i: int64, d: double, b: bool, day: date, ts: timestamp, s: string, nothing: string, bits: int64");
  EXPECT_THAT(Rows(r.table), ElementsAre("1|1.5|true|2024-01-02|2024-01-02T03:04:05Z|x|null|0",
                                         "-7|2|false|1969-12-31|2024-01-02T00:00:00Z|y|null|1",
                                         "null|null|null|null|null|null|null|null"));
}

TEST(CsvReader, IncompatibleSamplesFallBackToString) {
  ScratchDir dir;
  Opened r = ReadCsv(dir, "a,b,c\n1,true,2024-01-01\nx,1,5\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.schema->ToString(), "a: string, b: string, c: string");
  EXPECT_THAT(Rows(r.table), ElementsAre("1|true|2024-01-01", "x|1|5"));
}

TEST(CsvReader, QuotedFieldsHoldDelimitersNewlinesAndQuotes) {
  ScratchDir dir;
  Opened r = ReadCsv(dir,
                     "name,note\n"
                     "\"a,b\",\"line1\nline2\"\n"
                     "\"say \"\"hi\"\"\",\"\"\n"
                     "plain,\n"
                     "5'11\",x\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.table.num_rows(), 4u);
  const Column& name = r.table.columns[0];
  const Column& note = r.table.columns[1];
  EXPECT_EQ(name.GetString(0), "a,b");
  EXPECT_EQ(note.GetString(0), "line1\nline2");
  EXPECT_EQ(name.GetString(1), "say \"hi\"");
  EXPECT_FALSE(note.IsNull(1));  // quoted "" is the empty string
  EXPECT_EQ(note.GetString(1), "");
  EXPECT_TRUE(note.IsNull(2));             // unquoted empty is null
  EXPECT_EQ(name.GetString(3), "5'11\"");  // a quote inside an unquoted field is literal
}

TEST(CsvReader, LineEndingsBomAndMissingFinalNewline) {
  ScratchDir dir;
  for (const std::string& text :
       {std::string("\xEF\xBB\xBF"
                    "a,b\r\n1,x\r\n2,y\r\n"),
        std::string("a,b\n1,x\n2,y"), std::string("a,b\r1,x\r2,y\r"), std::string("a,b\r\n1,x\r\n2,y")}) {
    Opened r = ReadCsv(dir, text);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.schema->ToString(), "a: int64, b: string");
    EXPECT_THAT(Rows(r.table), ElementsAre("1|x", "2|y"));
  }
}

TEST(CsvReader, WithoutHeaderColumnsAreNumbered) {
  ScratchDir dir;
  ReadOptions options;
  options.csv.header = false;
  Opened r = ReadCsv(dir, "1,a\n2,b\n", options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.schema->ToString(), "c0: int64, c1: string");
  EXPECT_THAT(Rows(r.table), ElementsAre("1|a", "2|b"));
}

TEST(CsvReader, EmptyFilesGiveNoRows) {
  ScratchDir dir;
  Opened zero = ReadCsv(dir, "");
  ASSERT_TRUE(zero.status.ok()) << zero.status.ToString();
  EXPECT_EQ(zero.schema->num_fields(), 0u);
  EXPECT_EQ(zero.table.num_rows(), 0u);

  Opened header_only = ReadCsv(dir, "a,b\n");
  ASSERT_TRUE(header_only.status.ok());
  EXPECT_EQ(header_only.schema->ToString(), "a: string, b: string");
  EXPECT_EQ(header_only.table.num_rows(), 0u);

  ReadOptions declared;
  declared.schema = MakeSchema({{"a", DataType::Int64()}});
  Opened zero_declared = ReadCsv(dir, "", declared);
  ASSERT_TRUE(zero_declared.status.ok()) << zero_declared.status.ToString();
  EXPECT_EQ(zero_declared.schema->ToString(), "a: int64");
  EXPECT_EQ(zero_declared.table.num_rows(), 0u);
}

TEST(CsvReader, DeclaredSchemaMatchesColumnsByName) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = MakeSchema({{"id", DataType::Int32()},
                               {"price", DataType::Decimal(10, 2)},
                               {"blob", DataType::Binary()},
                               {"f", DataType::Float()}});
  Opened r = ReadCsv(dir, "blob,f,price,id\n00ff,1.5,12.3,7\n,,,\n", options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(*r.schema, *options.schema);
  EXPECT_THAT(Rows(r.table), ElementsAre("7|12.30|00ff|1.5", "null|null|null|null"));
  EXPECT_EQ(r.table.columns[2].GetString(0), std::string("\x00\xff", 2));
}

TEST(CsvReader, DeclaredSchemaMismatchListsMissingAndExtraColumns) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = MakeSchema({{"id", DataType::Int64()}, {"gone", DataType::String()}});
  Opened r = ReadCsv(dir, "id,extra\n1,2\n", options);
  EXPECT_EQ(r.status.code(), StatusCode::kSchemaMismatch);
  EXPECT_THAT(r.status.message(), HasSubstr("in.csv"));
  EXPECT_THAT(r.status.message(), HasSubstr("missing from the file: 'gone'"));
  EXPECT_THAT(r.status.message(), HasSubstr("not in the schema: 'extra'"));

  options.csv.header = false;
  Opened by_position = ReadCsv(dir, "1,2,3\n", options);
  EXPECT_EQ(by_position.status.code(), StatusCode::kSchemaMismatch);
  EXPECT_THAT(by_position.status.message(), HasSubstr("3 columns"));
}

TEST(CsvReader, BadValueNamesFileLineColumnAndText) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = MakeSchema({{"id", DataType::Int64()}, {"when", DataType::Date()}});
  Opened r = ReadCsv(dir, "id,when\n1,2024-01-01\n\"2\",\"2024-01-02\"\n3,2024-02-30\n", options);
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status.message(), HasSubstr("in.csv: line 4 (byte "));
  EXPECT_THAT(r.status.message(), HasSubstr("column 'when'"));
  EXPECT_THAT(r.status.message(), HasSubstr("'2024-02-30'"));
  EXPECT_THAT(r.status.message(), HasSubstr("as date"));
}

TEST(CsvReader, ValueAfterTheInferenceSampleThatDoesNotFitIsAnErrorButStringsAlwaysWork) {
  ScratchDir dir;
  std::string text = "n,s\n";
  for (int i = 0; i < 20; ++i) text += std::to_string(i) + ",x\n";
  text += "oops,x\n";
  ReadOptions options;
  options.infer_rows = 10;
  Opened r = ReadCsv(dir, text, options);
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status.message(), HasSubstr("line 22"));
  EXPECT_THAT(r.status.message(), HasSubstr("'oops' as int64"));

  options.schema = MakeSchema({{"n", DataType::String()}, {"s", DataType::String()}});
  Opened strings = ReadCsv(dir, text, options);
  ASSERT_TRUE(strings.status.ok()) << strings.status.ToString();
  EXPECT_EQ(strings.table.num_rows(), 21u);
  EXPECT_EQ(strings.table.columns[0].GetString(20), "oops");
}

TEST(CsvReader, StructuralErrorsNameFileAndLine) {
  ScratchDir dir;
  struct Case {
    std::string text;
    std::string line;
    std::string what;
  };
  for (const Case& c : std::vector<Case>{
           {"a,b\n1,2\n3\n", "line 3 ", "expected 2 fields, found 1"},
           {"a,b\n1,2\n3,4,5\n", "line 3 ", "found 3"},
           {"a,b\n1,\"x\ny\"\n2,\"unterminated\n", "line 4 ", "unterminated quoted field"},
           {"a,b\n1,\"x\"y\n", "line 2 ", "after a closing quote"},
           {"a,a\n1,2\n", "line 1 ", "duplicate column name 'a'"},
       }) {
    Opened r = ReadCsv(dir, c.text);
    EXPECT_EQ(r.status.code(), StatusCode::kCorruption) << c.text;
    EXPECT_THAT(r.status.message(), HasSubstr("in.csv: " + c.line)) << c.text;
    EXPECT_THAT(r.status.message(), HasSubstr(c.what)) << c.text;
  }
}

TEST(CsvReader, LineNumbersCountNewlinesInsideQuotes) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = MakeSchema({{"a", DataType::String()}, {"b", DataType::Int64()}});
  Opened r = ReadCsv(dir, "a,b\n\"x\n\ny\",1\r\n\"z\",2\nw,bad\n", options);
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status.message(), HasSubstr("line 6 (byte 20)"));
}

TEST(CsvReader, NullTextDelimiterAndQuoteAreConfigurable) {
  ScratchDir dir;
  ReadOptions options;
  options.csv.delimiter = ';';
  options.csv.quote = '\'';
  options.csv.null_text = "NA";
  Opened r = ReadCsv(dir, "a;b\n'x;y';NA\n'NA';\n", options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.table.num_rows(), 2u);
  EXPECT_EQ(r.table.columns[0].GetString(0), "x;y");
  EXPECT_TRUE(r.table.columns[1].IsNull(0));
  EXPECT_EQ(r.table.columns[0].GetString(1), "NA");  // quoted: never null
  EXPECT_EQ(r.table.columns[1].GetString(1), "");    // unquoted empty is not the null text here

  options.csv.quote = ';';
  EXPECT_EQ(ReadCsv(dir, "a\n", options).status.code(), StatusCode::kInvalidArgument);
}

TEST(CsvReader, BlankLinesAreSkippedUnlessTheFileHasOneColumn) {
  ScratchDir dir;
  Opened two = ReadCsv(dir, "a,b\n1,2\n\n3,4\n\n");
  ASSERT_TRUE(two.status.ok()) << two.status.ToString();
  EXPECT_THAT(Rows(two.table), ElementsAre("1|2", "3|4"));

  Opened one = ReadCsv(dir, "a\n1\n\n3\n");
  ASSERT_TRUE(one.status.ok()) << one.status.ToString();
  EXPECT_THAT(Rows(one.table), ElementsAre("1", "null", "3"));
}

TEST(CsvReader, NonNullableColumnRejectsNull) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = MakeSchema({{"a", DataType::Int64(), false}, {"b", DataType::Int64()}});
  Opened r = ReadCsv(dir, "a,b\n1,\n,2\n", options);
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status.message(), HasSubstr("in.csv: line 3"));
  EXPECT_THAT(r.status.message(), HasSubstr("not nullable"));
}

TEST(CsvReader, BatchesAreBoundedAndTheLastCallReturnsFalse) {
  ScratchDir dir;
  std::string text = "a\n";
  for (int i = 0; i < 10; ++i) text += std::to_string(i) + "\n";
  WriteText(dir.File("in.csv"), text);
  ReadOptions options;
  options.batch_rows = 3;
  auto reader = OpenReader(dir.File("in.csv"), Format::kCsv, options);
  ASSERT_TRUE(reader.ok());
  RecordBatch batch;
  std::vector<size_t> sizes;
  while (true) {
    auto more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    sizes.push_back(batch.num_rows());
  }
  EXPECT_THAT(sizes, ElementsAre(3, 3, 3, 1));
  EXPECT_EQ(batch.num_rows(), 0u);
  auto again = (*reader)->Next(&batch);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

// A record that straddles the reader's 1 MiB chunks: long quoted values with newlines,
// escaped quotes and a CRLF split exactly at the boundary.
TEST(CsvReader, RecordsSpanTheOneMebibyteChunkBoundary) {
  ScratchDir dir;
  std::string text = "id,payload\n";
  std::vector<std::string> payloads;
  for (int i = 0; text.size() < (size_t{5} << 20) / 2; ++i) {
    std::string p(static_cast<size_t>(1000 + (i * 7919) % 300000), static_cast<char>('a' + i % 26));
    p[p.size() / 2] = '\n';
    p[p.size() / 3] = '"';
    payloads.push_back(p);
    std::string quoted;
    for (char ch : p) {
      if (ch == '"') quoted += '"';
      quoted += ch;
    }
    text += std::to_string(i) + ",\"" + quoted + "\"\r\n";
  }
  Opened r = ReadCsv(dir, text);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.table.num_rows(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    ASSERT_EQ(r.table.columns[1].GetString(i), payloads[i]) << i;
    ASSERT_EQ(r.table.columns[0].Get<int64_t>(i), static_cast<int64_t>(i));
  }
}

// Every chunk size from 1 byte up gives the same rows as one big chunk.
TEST(CsvReader, TinyChunksGiveTheSameRows) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n\"x,\"\"y\"\"\",1,\r\n\"multi\r\nline\",2,\"\"\n\nplain,3,z";
  ReadOptions options;
  auto reference = OpenCsvReader(MemoryInput("mem.csv", text, 1 << 20), options);
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  auto expected = ReadAll(reference->get());
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  EXPECT_THAT(Rows(*expected), ElementsAre("x,\"y\"|1|null", "multi\r\nline|2|", "plain|3|z"));
  for (size_t chunk = 1; chunk < 24; ++chunk) {
    auto reader = OpenCsvReader(MemoryInput("mem.csv", text, chunk, 1), options);
    ASSERT_TRUE(reader.ok()) << chunk << ": " << reader.status().ToString();
    EXPECT_EQ(*(*reader)->schema(), *(*reference)->schema()) << chunk;
    auto got = ReadAll(reader->get());
    ASSERT_TRUE(got.ok()) << chunk << ": " << got.status().ToString();
    EXPECT_EQ(Rows(*got), Rows(*expected)) << chunk;
  }
}

TEST(CsvReader, OverlongRecordIsCorruptionNotUnboundedMemory) {
  std::string text = "a\n\"" + std::string(5000, 'x');
  auto input = std::make_unique<TextInput>(std::make_unique<StringSequentialFile>("big.csv", text), 64, 1024);
  auto reader = OpenCsvReader(std::move(input), ReadOptions{});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(reader.status().message(), HasSubstr("big.csv"));
}

}  // namespace
}  // namespace gaggle
