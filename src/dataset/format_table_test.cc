#include "dataset/format_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "dataset/text_typing_policy.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_text::ReadAll;
using testing_text::ReadText;
using testing_text::Rows;
using testing_text::ScratchDir;
using testing_text::WriteText;

const Format kEveryFormat[] = {Format::kAvro, Format::kCsv, Format::kJsonl, Format::kParquet};
// Every codec a user can ask for (ParseCompression); kLz4Hadoop is read-only.
const Compression kEveryCodec[] = {Compression::kNone, Compression::kSnappy, Compression::kGzip,
                                   Compression::kZstd, Compression::kLz4Raw, Compression::kBrotli};

RecordBatch SmallBatch() {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64()}, {"name", DataType::String()}});
  RecordBatch batch = RecordBatch::Empty(schema);
  for (int64_t i = 0; i < 3; ++i) {
    batch.columns[0].Append<int64_t>(i);
    batch.columns[1].AppendString("row " + std::to_string(i));
  }
  return batch;
}

Status WriteWith(const std::string& path, Format format, Compression codec, const RecordBatch& batch) {
  WriteOptions options;
  options.compression = codec;
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenWriter(path, format, batch.schema, options));
  GAGGLE_RETURN_IF_ERROR(writer->Write(batch));
  return writer->Finish();
}

TEST(FormatTable, RowsFollowTheEnumAndNameThemselves) {
  ASSERT_EQ(AllFormats().size(), std::size(kEveryFormat));
  for (Format f : kEveryFormat) {
    EXPECT_EQ(FormatInfoFor(f).format, f);
    auto parsed = ParseFormat(FormatName(f));
    ASSERT_TRUE(parsed.ok()) << FormatName(f);
    EXPECT_EQ(*parsed, f);
    for (std::string_view alias : FormatInfoFor(f).aliases) EXPECT_EQ(*ParseFormat(std::string(alias)), f) << alias;
  }
  EXPECT_THAT(FormatNames(), ElementsAre("avro", "csv", "jsonl", "parquet"));
  EXPECT_STREQ(FormatName(static_cast<Format>(99)), "unknown");
}

TEST(FormatTable, ParsesNamesAndAliasesCaseInsensitively) {
  EXPECT_EQ(*ParseFormat("PARQUET"), Format::kParquet);
  EXPECT_EQ(*ParseFormat("pq"), Format::kParquet);
  EXPECT_EQ(*ParseFormat("Json"), Format::kJsonl);
  EXPECT_EQ(*ParseFormat("ndjson"), Format::kJsonl);
  auto bad = ParseFormat("orc");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown format 'orc' (expected avro, csv, jsonl or parquet)");
}

TEST(FormatTable, TellsTheFormatFromEveryExtension) {
  for (Format f : kEveryFormat) {
    for (std::string_view ext : FormatInfoFor(f).extensions) {
      EXPECT_EQ(*FormatFromPath("dir/part-0" + std::string(ext)), f) << ext;
    }
    EXPECT_EQ(*FormatFromPath(std::string("x") + ExtensionFor(f)), f);
  }
  EXPECT_EQ(*FormatFromPath("/data/EVENTS.PQ"), Format::kParquet);
  EXPECT_EQ(*FormatFromPath("a.json"), Format::kJsonl);
  auto bad = FormatFromPath("notes.txt");
  EXPECT_EQ(bad.status().message(),
            "cannot tell the format of 'notes.txt' from its extension (.avro, .csv, .jsonl, .parquet); pass "
            "--from/--to");
}

TEST(FormatTable, TextFormatsAreCsvAndJsonLines) {
  std::vector<std::string> text;
  for (Format f : kEveryFormat) {
    if (IsTextFormat(f)) text.push_back(FormatName(f));
  }
  EXPECT_THAT(text, ElementsAre("csv", "jsonl"));
  EXPECT_STREQ(ExtensionFor(Format::kParquet), ".parquet");
  EXPECT_STREQ(ExtensionFor(Format::kJsonl), ".jsonl");
}

// The codecs column says what the writers really do: a binary format writes every codec
// it lists and refuses the others; a text format writes the same bytes whatever the codec.
TEST(FormatTable, CodecsAreTheOnesTheWriterHonours) {
  ScratchDir dir;
  const RecordBatch batch = SmallBatch();
  for (Format f : kEveryFormat) {
    const FormatInfo& info = FormatInfoFor(f);
    std::string uncompressed;
    for (Compression codec : kEveryCodec) {
      SCOPED_TRACE(std::string(info.name) + " " + CompressionName(codec));
      const std::string path = dir.File(std::string("t_") + CompressionName(codec) + ExtensionFor(f));
      const bool listed = std::find(info.codecs.begin(), info.codecs.end(), codec) != info.codecs.end();
      Status written = WriteWith(path, f, codec, batch);
      if (info.text) {
        ASSERT_TRUE(written.ok()) << written.ToString();
        if (codec == Compression::kNone) uncompressed = ReadText(path);
        EXPECT_EQ(ReadText(path), uncompressed);
        continue;
      }
      ASSERT_EQ(written.ok(), listed) << written.ToString();
      if (!listed) {
        EXPECT_EQ(written.code(), StatusCode::kUnsupported);
        continue;
      }
      auto reader = OpenReader(path, f, ReadOptions{});
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      auto rows = ReadAll(reader->get());
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      EXPECT_THAT(Rows(*rows), ElementsAre("0|row 0", "1|row 1", "2|row 2"));
    }
  }
}

TEST(FormatTable, InspectCountsTheRowsOfEveryFormat) {
  ScratchDir dir;
  for (Format f : kEveryFormat) {
    const std::string path = dir.File(std::string("i") + ExtensionFor(f));
    ASSERT_TRUE(WriteWith(path, f, Compression::kNone, SmallBatch()).ok());
    auto summary = InspectFile(path, f, ReadOptions{});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->format, f);
    EXPECT_EQ(summary->num_rows, 3);
    EXPECT_EQ(summary->schema.field(1).name, "name");
  }
}

TEST(FormatTable, OpenChecksItsOptions) {
  ReadOptions ro;
  ro.batch_rows = 0;
  EXPECT_EQ(OpenReader("x.csv", Format::kCsv, ro).status().code(), StatusCode::kInvalidArgument);
  WriteOptions wo;
  wo.row_group_rows = 0;
  EXPECT_EQ(OpenWriter("x.csv", Format::kCsv, SmallBatch().schema, wo).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenReader("x.csv", static_cast<Format>(99), ReadOptions{}).status().code(), StatusCode::kInternal);
}

TEST(TextTypingPolicy, OnlyTextFormatsTakeTheDeclaredSchema) {
  const Schema declared({{"id", DataType::String()}});
  for (Format f : kEveryFormat) {
    ReadOptions options;
    options.schema = Schema({{"stale", DataType::Int64()}});
    TypeTextAs(f, &declared, &options);
    EXPECT_EQ(options.schema.has_value(), IsTextFormat(f)) << FormatName(f);
    if (options.schema) {
      EXPECT_EQ(*options.schema, declared);
    }
    TypeTextAs(f, std::optional<Schema>(), &options);
    EXPECT_FALSE(options.schema.has_value()) << FormatName(f);
  }
}

TEST(TextTypingPolicy, ExpectedSchemaTypesTextAndFallsBackToInferenceWhenColumnsDiffer) {
  ScratchDir dir;
  const std::string path = dir.File("in.csv");
  WriteText(path, "id,name\n1,a\n2,b\n");
  const Schema as_text({{"id", DataType::String()}, {"name", DataType::String()}});
  auto typed = OpenReaderExpecting(path, Format::kCsv, ReadOptions{}, &as_text, FileSystem::Default());
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(*(*typed)->schema(), as_text);

  const Schema other({{"id", DataType::String()}, {"label", DataType::String()}});
  auto inferred = OpenReaderExpecting(path, Format::kCsv, ReadOptions{}, &other, FileSystem::Default());
  ASSERT_TRUE(inferred.ok()) << inferred.status().ToString();
  EXPECT_EQ((*inferred)->schema()->ToString(),
            Schema({{"id", DataType::Int64()}, {"name", DataType::String()}}).ToString());

  auto plain = OpenReaderExpecting(path, Format::kCsv, ReadOptions{}, nullptr, FileSystem::Default());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->schema()->field(0).type, DataType::Int64());
}

}  // namespace
}  // namespace gaggle
