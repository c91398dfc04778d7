// Bad Avro input must give typed errors naming the file, never a crash or hang.
#include <gtest/gtest.h>

#include "formats/avro/avro_memory_fs.h"
#include "formats/avro/avro_reader.h"
#include "formats/avro/avro_test_util.h"

namespace gaggle {
namespace {

using avro_test::Container;
using avro_test::Long;
using avro_test::ReadAll;
using avro_test::ScratchDir;
using avro_test::Spit;
using avro_test::Str;

const char* kStringSchema = R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})";

// Reads the whole file; expects `code` and a message naming the file and containing `needle`.
void ExpectError(const std::string& path, StatusCode code, const std::string& needle) {
  auto got = ReadAll(path);
  ASSERT_FALSE(got.ok()) << path;
  EXPECT_EQ(got.status().code(), code) << got.status().ToString();
  EXPECT_NE(got.status().message().find(path), std::string::npos) << got.status().ToString();
  EXPECT_NE(got.status().message().find(needle), std::string::npos) << got.status().ToString();
}

std::string SmallFile(const ScratchDir& dir, Compression c) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Int64(), false}, {"name", DataType::String(), true}, {"d", DataType::Decimal(9, 2), true}});
  RecordBatch b = RecordBatch::Empty(schema);
  for (int i = 0; i < 40; ++i) {
    b.columns[0].Append<int64_t>(i * 1000003);
    b.columns[1].AppendString("row " + std::to_string(i));
    b.columns[2].Append<int64_t>(i * 12345 - 99999);
  }
  std::string path = dir.File(std::string("small_") + CompressionName(c) + ".avro");
  EXPECT_TRUE(avro_test::WriteAll(path, b, c).ok());
  return avro_test::Slurp(path);
}

TEST(AvroCorruption, BadMagicAndMissingFile) {
  ScratchDir dir;
  std::string p = dir.File("bad.avro");
  Spit(p, "PAR1 this is not avro at all");
  ExpectError(p, StatusCode::kCorruption, "magic");
  Spit(p, "");
  ExpectError(p, StatusCode::kCorruption, "header");
  auto missing = ReadAll(dir.File("nope.avro"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(AvroCorruption, TruncatedAtEveryOffset) {
  ScratchDir dir;
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy}) {
    std::string bytes = SmallFile(dir, c);
    std::string p = dir.File("cut.avro");
    Spit(p, bytes);
    auto file = FileSystem::Default()->OpenRandomAccess(p);
    ASSERT_TRUE(file.ok());
    auto header = avro::ReadContainerHeader(**file);
    ASSERT_TRUE(header.ok());
    const size_t data_offset = header->data_offset;
    avro_test::MemoryFileSystem mem;
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      mem.Put(p, bytes.substr(0, cut));
      auto got = ReadAll(p, 16, nullptr, &mem);
      if (cut == data_offset) {  // a header with no blocks is a valid empty file
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(got->num_rows(), 0u);
        continue;
      }
      ASSERT_FALSE(got.ok()) << "cut at " << cut;
      EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
      EXPECT_NE(got.status().message().find(p), std::string::npos) << got.status().ToString();
      if (cut > data_offset) {
        EXPECT_NE(got.status().message().find("block 0"), std::string::npos);
      }
    }
  }
}

TEST(AvroCorruption, FlippedBytesNeverCrash) {
  ScratchDir dir;
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy}) {
    std::string bytes = SmallFile(dir, c);
    std::string p = dir.File("flip.avro");
    avro_test::MemoryFileSystem mem;
    int errors = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t mask : {0x01, 0x80, 0xFF}) {
        std::string mutated = bytes;
        mutated[i] = static_cast<char>(mutated[i] ^ mask);
        mem.Put(p, mutated);
        auto got = ReadAll(p, 16, nullptr, &mem);
        if (got.ok()) continue;  // e.g. a flipped bit inside a string value
        ++errors;
        StatusCode code = got.status().code();
        EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kUnsupported) << got.status().ToString();
        EXPECT_NE(got.status().message().find(p), std::string::npos) << got.status().ToString();
      }
    }
    EXPECT_GT(errors, 0);
    // The magic and the trailing sync marker are always checked.
    std::string mutated = bytes;
    mutated[2] = 'x';
    Spit(p, mutated);
    ExpectError(p, StatusCode::kCorruption, "magic");
    mutated = bytes;
    mutated[bytes.size() - 3] ^= 0x40;
    Spit(p, mutated);
    ExpectError(p, StatusCode::kCorruption, "sync marker");
  }
}

TEST(AvroCorruption, LengthsThatAvroCWouldTrustAreCaught) {
  ScratchDir dir;
  std::string p = dir.File("len.avro");
  // A negative string length makes avro-c 1.11 write before its buffer.
  Spit(p, Container(kStringSchema, {{1, Long(-1)}}));
  ExpectError(p, StatusCode::kCorruption, "string length -1 is negative");
  // A huge one makes it allocate that much.
  Spit(p, Container(kStringSchema, {{1, Long(int64_t{1} << 40)}}));
  ExpectError(p, StatusCode::kCorruption, "runs past the end of the block");
  // Count says 1, data holds 2 records.
  Spit(p, Container(kStringSchema, {{1, Str("a") + Str("b")}}));
  ExpectError(p, StatusCode::kCorruption, "after its 1 records");
  // Count says 3, data holds 2.
  Spit(p, Container(kStringSchema, {{3, Str("a") + Str("b")}}));
  ExpectError(p, StatusCode::kCorruption, "record 2 of 3");
  // Valid blocks before the bad one are read, then the error names block 1.
  Spit(p, Container(kStringSchema, {{2, Str("a") + Str("b")}, {1, Long(-7)}}));
  ExpectError(p, StatusCode::kCorruption, "block 1");
  // A 10-byte varint that overflows.
  Spit(p, Container(kStringSchema, {{1, std::string(9, '\xff') + "\x7f"}}));
  ExpectError(p, StatusCode::kCorruption, "malformed or truncated string varint");
}

TEST(AvroCorruption, BranchesEnumsAndIntsOutOfRange) {
  ScratchDir dir;
  std::string p = dir.File("range.avro");
  Spit(p, Container(R"({"type":"record","name":"r","fields":[{"name":"u","type":["null","long"]}]})",
                    {{1, Long(2) + Long(5)}}));
  ExpectError(p, StatusCode::kCorruption, "union branch 2 is out of range");
  Spit(
      p,
      Container(
          R"({"type":"record","name":"r","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]})",
          {{1, Long(2)}}));
  ExpectError(p, StatusCode::kCorruption, "enum index 2 is out of range");
  Spit(p, Container(R"({"type":"record","name":"r","fields":[{"name":"i","type":"int"}]})",
                    {{1, Long(int64_t{1} << 33)}}));
  ExpectError(p, StatusCode::kCorruption, "out of range");
  Spit(
      p,
      Container(
          R"({"type":"record","name":"r","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}}]})",
          {{1, Str(std::string("\x27\x10", 2))}}));  // 10000 does not fit decimal(4)
  ExpectError(p, StatusCode::kCorruption, "does not fit decimal(4)");
  Spit(
      p,
      Container(
          R"({"type":"record","name":"r","fields":[{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]})",
          {{1, Long(INT64_MAX / 10)}}));
  ExpectError(p, StatusCode::kCorruption, "overflows");
}

TEST(AvroCorruption, BlockFramingIsChecked) {
  ScratchDir dir;
  std::string p = dir.File("frame.avro");
  std::string good = Container(kStringSchema, {{1, Str("a")}});
  auto with_head = [&](int64_t count, int64_t size) {
    std::string s = Container(kStringSchema, {});
    s += Long(count) + Long(size) + Str("a");
    auto sync = avro_test::TestSync();
    s.append(reinterpret_cast<const char*>(sync.data()), sync.size());
    return s;
  };
  Spit(p, with_head(-1, 2));
  ExpectError(p, StatusCode::kCorruption, "object count -1");
  Spit(p, with_head(1, -2));
  ExpectError(p, StatusCode::kCorruption, "block size -2");
  Spit(p, with_head(1, int64_t{1} << 40));
  ExpectError(p, StatusCode::kCorruption, "out of range");
  Spit(p, with_head(1, 200));
  ExpectError(p, StatusCode::kCorruption, "truncated file");
  Spit(p, with_head(int64_t{1} << 40, 2));
  ExpectError(p, StatusCode::kCorruption, "out of range");
  Spit(p, good + "x");
  ExpectError(p, StatusCode::kCorruption, "block 1");
}

TEST(AvroCorruption, CompressedBlocksAreChecked) {
  ScratchDir dir;
  std::string p = dir.File("codec.avro");
  Spit(p, Container(kStringSchema, {{1, "ab"}}, "snappy"));
  ExpectError(p, StatusCode::kCorruption, "no CRC");
  Spit(p, Container(kStringSchema, {{1, std::string("\x02\x04\x02\x61\x00\x00\x00\x00", 8)}}, "snappy"));
  ExpectError(p, StatusCode::kCorruption, "CRC-32");
  Spit(p, Container(kStringSchema, {{1, "\x80\x80\x80\x80\x08xxxx"}}, "snappy"));
  ExpectError(p, StatusCode::kCorruption, "over the limit");
  Spit(p, Container(kStringSchema, {{1, "not deflate data"}}, "deflate"));
  ExpectError(p, StatusCode::kCorruption, "deflate");
  Spit(p, Container(kStringSchema, {{1, "not lzma data"}}, "lzma"));
  ExpectError(p, StatusCode::kCorruption, "lzma");
  for (const char* codec : {"zstandard", "bzip2", "xz"}) {
    Spit(p, Container(kStringSchema, {{1, "not compressed at all"}}, codec));
    ExpectError(p, StatusCode::kCorruption, std::string(codec) + " block is malformed");
  }
  Spit(p, Container(kStringSchema, {{1, "x"}}, "brotli"));
  ExpectError(p, StatusCode::kUnsupported, "codec 'brotli'");
}

TEST(AvroCorruption, HeaderProblems) {
  ScratchDir dir;
  std::string p = dir.File("hdr.avro");
  std::string no_schema = avro::EncodeContainerHeader({{"avro.codec", "null"}}, avro_test::TestSync());
  Spit(p, no_schema);
  ExpectError(p, StatusCode::kCorruption, "no avro.schema");
  Spit(p, Container("{\"type\":", {}));
  ExpectError(p, StatusCode::kCorruption, "not valid JSON");
  std::string bad_len = std::string("Obj\x01", 4) + Long(1) + Long(-5);
  Spit(p, bad_len + std::string(40, 'x'));
  ExpectError(p, StatusCode::kCorruption, "metadata entry length -5");
  std::string huge_count = std::string("Obj\x01", 4) + Long(int64_t{1} << 50);
  Spit(p, huge_count + std::string(40, 'x'));
  ExpectError(p, StatusCode::kCorruption, "entries");
}

TEST(AvroCorruption, UnsupportedFieldsAreNamedAtOpen) {
  ScratchDir dir;
  std::string p = dir.File("null.avro");
  // Arrays, maps and unions read now (avro_nested_test.cc); a null-typed field has no values.
  Spit(p, Container(R"({"type":"record","name":"r","fields":[{"name":"id","type":"long"},
                        {"name":"nothing","type":"null"}]})",
                    {}));
  ExpectError(p, StatusCode::kUnsupported, "'nothing' has type null");
  auto summary = InspectAvro(FileSystem::Default(), p);
  EXPECT_EQ(summary.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace gaggle
