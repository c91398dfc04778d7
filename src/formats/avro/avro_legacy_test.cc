// Avro as other implementations write it: the zstandard, bzip2 and xz block codecs (Java's and
// Python's), decimals up to 38 digits (and wider ones as exact text), and local timestamps that
// stay naive through reading and writing.
#include <bzlib.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <zstd.h>

#include "columnar/value_format.h"
#include "common/source_dir_test_util.h"
#include "formats/avro/avro_codec.h"
#include "formats/avro/avro_test_util.h"

namespace gaggle {
namespace {

using avro_test::Container;
using avro_test::Long;
using avro_test::ReadAll;
using avro_test::ScratchDir;
using avro_test::Slurp;
using avro_test::Spit;
using avro_test::Str;

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

std::string Bzip2(const std::string& in) {
  std::string out(in.size() + in.size() / 100 + 600, '\0');
  unsigned n = static_cast<unsigned>(out.size());
  EXPECT_EQ(
      BZ2_bzBuffToBuffCompress(out.data(), &n, const_cast<char*>(in.data()), static_cast<unsigned>(in.size()), 9, 0, 0),
      BZ_OK);
  out.resize(n);
  return out;
}

std::string Xz(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(in.data()),
                                    in.size(), reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

TEST(AvroLegacy, ZstandardBzip2AndXzBlocksDecode) {
  std::string plain;
  for (int i = 0; i < 5000; ++i) plain += "row " + std::to_string(i % 37) + ";";
  struct Case {
    avro::Codec codec;
    std::string stored;
  };
  // Concatenated streams (zstd frames, bzip2 and xz streams) are one block too.
  std::vector<Case> cases = {{avro::Codec::kZstandard, Zstd(plain)},
                             {avro::Codec::kZstandard, Zstd(plain.substr(0, 100)) + Zstd(plain.substr(100))},
                             {avro::Codec::kBzip2, Bzip2(plain)},
                             {avro::Codec::kBzip2, Bzip2(plain.substr(0, 7)) + Bzip2(plain.substr(7))},
                             {avro::Codec::kXz, Xz(plain)},
                             {avro::Codec::kXz, Xz(plain.substr(0, 9)) + Xz(plain.substr(9))}};
  for (const Case& c : cases) {
    std::string scratch;
    auto got = avro::DecodeBlock(c.codec, c.stored, size_t{1} << 20, &scratch);
    ASSERT_TRUE(got.ok()) << avro::CodecName(c.codec) << ": " << got.status().ToString();
    EXPECT_EQ(*got, plain) << avro::CodecName(c.codec);
    // No more than max_bytes, whatever the block claims: a decompression bomb stops at the limit.
    auto small = avro::DecodeBlock(c.codec, c.stored, 1000, &scratch);
    EXPECT_EQ(small.status().code(), StatusCode::kCorruption) << avro::CodecName(c.codec);
    EXPECT_NE(small.status().message().find("limit"), std::string::npos) << small.status().ToString();
    // Truncated input is Corruption, never a crash.
    auto cut = avro::DecodeBlock(c.codec, c.stored.substr(0, c.stored.size() - 5), size_t{1} << 20, &scratch);
    EXPECT_EQ(cut.status().code(), StatusCode::kCorruption) << avro::CodecName(c.codec);
  }
  // gaggle writes zstandard blocks too.
  std::string encoded, scratch;
  ASSERT_TRUE(avro::EncodeBlock(avro::Codec::kZstandard, plain, 0, &encoded).ok());
  EXPECT_LT(encoded.size(), plain.size() / 10);
  auto back = avro::DecodeBlock(avro::Codec::kZstandard, encoded, size_t{1} << 20, &scratch);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, plain);
  EXPECT_EQ(avro::EncodeBlock(avro::Codec::kXz, plain, 0, &encoded).code(), StatusCode::kUnsupported);
}

TEST(AvroLegacy, ContainersWithEachCodecRead) {
  ScratchDir dir;
  const std::string schema = R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})";
  std::string records = Str("alpha") + Str("") + Str("gamma");
  const std::vector<std::pair<std::string, std::string>> codecs = {
      {"zstandard", Zstd(records)}, {"bzip2", Bzip2(records)}, {"xz", Xz(records)}};
  for (const auto& [codec, stored] : codecs) {
    std::string p = dir.File(codec + ".avro");
    Spit(p, Container(schema, {{3, stored}, {3, stored}}, codec));
    auto all = ReadAll(p);
    ASSERT_TRUE(all.ok()) << codec << ": " << all.status().ToString();
    ASSERT_EQ(all->num_rows(), 6u) << codec;
    EXPECT_EQ(all->columns[0].GetString(2), "gamma");
    EXPECT_EQ(all->columns[0].GetString(4), "");
  }
}

TEST(AvroLegacy, ZstdOutputIsAvroZstandard) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>();
  schema->AddField({"v", DataType::Int64(), false});
  RecordBatch batch = RecordBatch::Empty(schema);
  for (int64_t i = 0; i < 1000; ++i) batch.columns[0].Append<int64_t>(i * 3);
  std::string p = dir.File("z.avro");
  ASSERT_TRUE(avro_test::WriteAll(p, batch, Compression::kZstd).ok());
  EXPECT_NE(Slurp(p).find("zstandard"), std::string::npos);
  auto all = ReadAll(p);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->num_rows(), 1000u);
  EXPECT_EQ(all->columns[0].Get<int64_t>(999), 2997);
  EXPECT_EQ(avro_test::WriteAll(dir.File("b.avro"), batch, Compression::kBrotli).code(), StatusCode::kUnsupported);
}

// Big-endian two's complement bytes of v, 16 bytes.
std::string Be16(Int128 v) {
  std::string out(16, '\0');
  for (int i = 0; i < 16; ++i)
    out[static_cast<size_t>(i)] = static_cast<char>(static_cast<UInt128>(v) >> (120 - 8 * i));
  return out;
}

TEST(AvroLegacy, DecimalsUpTo38DigitsAndWiderAsExactText) {
  ScratchDir dir;
  const std::string schema = R"({"type":"record","name":"r","fields":[
    {"name":"b38","type":{"type":"bytes","logicalType":"decimal","precision":38,"scale":3}},
    {"name":"f38","type":{"type":"fixed","name":"F16","size":16,"logicalType":"decimal","precision":38,"scale":0}},
    {"name":"f76","type":{"type":"fixed","name":"F32","size":32,"logicalType":"decimal","precision":76,"scale":10}}]})";
  const Int128 max38 = Pow10Int128(38) - 1;
  std::string row1 = Str(Be16(max38)) + Be16(-max38) + std::string(31, '\0') + std::string(1, '\x07');
  std::string row2 = Str(std::string("\xff", 1)) + Be16(12345) + std::string(32, '\xff');
  std::string p = dir.File("dec.avro");
  Spit(p, Container(schema, {{2, row1 + row2}}));
  auto all = ReadAll(p);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->schema->ToString(), "b38: decimal(38,3) not null, f38: decimal(38,0) not null, f76: string not null");
  EXPECT_EQ(all->columns[0].ValueToString(0), "99999999999999999999999999999999999.999");
  EXPECT_EQ(all->columns[1].ValueToString(0), "-99999999999999999999999999999999999999");
  EXPECT_EQ(all->columns[2].ValueToString(0), "0.0000000007");
  EXPECT_EQ(all->columns[0].ValueToString(1), "-0.001");
  EXPECT_EQ(all->columns[1].ValueToString(1), "12345");
  EXPECT_EQ(all->columns[2].ValueToString(1), "-0.0000000001");
  // Past the precision: Corruption naming the column.
  std::string too_big = Str(Be16(max38 + 1)) + Be16(0) + std::string(32, '\0');
  Spit(p, Container(schema, {{1, too_big}}));
  auto bad = ReadAll(p);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("'b38'"), std::string::npos) << bad.status().ToString();

  // gaggle writes decimal(38) as bytes and reads it back.
  RecordBatch first = RecordBatch::Empty(std::make_shared<Schema>(std::vector<Field>{all->schema->field(0)}));
  first.columns[0].Append<Int128>(-max38);
  first.columns[0].Append<Int128>(Pow10Int128(20));
  std::string w = dir.File("w.avro");
  ASSERT_TRUE(avro_test::WriteAll(w, first, Compression::kNone).ok());
  auto back = ReadAll(w);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->columns[0].ValueToString(0), "-99999999999999999999999999999999999.999");
  EXPECT_EQ(back->columns[0].ValueToString(1), "100000000000000000.000");
}

TEST(AvroLegacy, LocalTimestampsStayNaive) {
  ScratchDir dir;
  const std::string schema = R"({"type":"record","name":"r","fields":[
    {"name":"lm","type":{"type":"long","logicalType":"local-timestamp-millis"}},
    {"name":"lu","type":{"type":"long","logicalType":"local-timestamp-micros"}},
    {"name":"tu","type":{"type":"long","logicalType":"timestamp-micros"}}]})";
  std::string p = dir.File("ts.avro");
  Spit(p, Container(schema, {{1, Long(1500) + Long(-1) + Long(-1)}}));
  auto all = ReadAll(p);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->schema->ToString(), "lm: timestamp_ntz not null, lu: timestamp_ntz not null, tu: timestamp not null");
  EXPECT_EQ(all->columns[0].ValueToString(0), "1970-01-01T00:00:01.500000");
  EXPECT_EQ(all->columns[1].ValueToString(0), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(all->columns[2].ValueToString(0), "1969-12-31T23:59:59.999999Z");
  // Written back, the naive columns are local-timestamp-micros and read back naive.
  std::string w = dir.File("w.avro");
  ASSERT_TRUE(avro_test::WriteAll(w, *all, Compression::kSnappy).ok());
  std::string bytes = Slurp(w);
  EXPECT_NE(bytes.find("local-timestamp-micros"), std::string::npos);
  auto back = ReadAll(w);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->schema->ToString(), all->schema->ToString());
  EXPECT_EQ(back->columns[0].ValueToString(0), "1970-01-01T00:00:01.500000");
}

// Writes the legacy seeds of the Avro reader's fuzz target (fuzz/corpus/avro_reader_fuzz/
// legacy_*.avro): the zstandard, bzip2 and xz codecs over records with a decimal(38), a
// decimal(76) and local timestamps. Run on purpose:
//   gaggle_unit_tests --gtest_also_run_disabled_tests --gtest_filter='*WriteLegacyAvroFuzzSeeds*'
TEST(AvroLegacy, DISABLED_WriteLegacyAvroFuzzSeeds) {
  const std::string dir = gaggle::testing::SourceRoot() + "/fuzz/corpus/avro_reader_fuzz/";
  const std::string schema = R"({"type":"record","name":"r","fields":[
    {"name":"d","type":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":2}]},
    {"name":"w","type":{"type":"fixed","name":"W","size":32,"logicalType":"decimal","precision":76,"scale":3}},
    {"name":"t","type":{"type":"long","logicalType":"local-timestamp-millis"}}]})";
  std::string records = Long(1) + Str(Be16(-Pow10Int128(37))) + std::string(31, '\0') + "\x09" + Long(1500) + Long(0) +
                        std::string(32, '\xff') + Long(-1);
  const std::vector<std::pair<std::string, std::string>> codecs = {
      {"zstandard", Zstd(records)}, {"bzip2", Bzip2(records)}, {"xz", Xz(records)}};
  for (const auto& [codec, stored] : codecs) {
    std::string path = dir + "legacy_" + codec + ".avro";
    Spit(path, Container(schema, {{2, stored}}, codec));
    auto all = ReadAll(path);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(all->num_rows(), 2u);
  }
}

}  // namespace
}  // namespace gaggle
