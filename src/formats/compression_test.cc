#include "formats/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

namespace gaggle {
namespace {

std::string Compressible(size_t n) {
  std::string s;
  s.reserve(n);
  for (size_t i = 0; s.size() < n; ++i) s += "row " + std::to_string(i % 97) + ", ";
  s.resize(n);
  return s;
}

std::string Noise(size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

class CompressionRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressionRoundTrip, RestoresTheBytes) {
  for (const std::string& input : {std::string(), std::string("a"), Compressible(100000), Noise(70000)}) {
    std::string packed;
    ASSERT_TRUE(Compress(GetParam(), 0, input, &packed).ok());
    std::string unpacked = "stale contents are replaced";
    Status st = Decompress(GetParam(), packed, input.size(), &unpacked);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(unpacked, input);
  }
}

TEST_P(CompressionRoundTrip, RejectsAWrongExpectedSize) {
  std::string input = Compressible(5000), packed, out;
  ASSERT_TRUE(Compress(GetParam(), 0, input, &packed).ok());
  Status smaller = Decompress(GetParam(), packed, input.size() - 1, &out);
  EXPECT_EQ(smaller.code(), StatusCode::kCorruption) << smaller.ToString();
  EXPECT_LE(out.size(), input.size());  // never inflated past expected + 1
  Status larger = Decompress(GetParam(), packed, input.size() + 10, &out);
  EXPECT_EQ(larger.code(), StatusCode::kCorruption) << larger.ToString();
}

TEST(Compression, RejectsGarbageAndTruncation) {
  for (Compression codec :
       {Compression::kSnappy, Compression::kGzip, Compression::kZstd, Compression::kLz4Raw, Compression::kBrotli}) {
    std::string input = Compressible(20000), packed, out;
    ASSERT_TRUE(Compress(codec, 0, input, &packed).ok());
    Status truncated = Decompress(codec, std::string_view(packed).substr(0, packed.size() / 2), input.size(), &out);
    EXPECT_EQ(truncated.code(), StatusCode::kCorruption) << CompressionName(codec) << ": " << truncated.ToString();
    Status garbage = Decompress(codec, Noise(300), input.size(), &out);
    EXPECT_EQ(garbage.code(), StatusCode::kCorruption) << CompressionName(codec) << ": " << garbage.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionRoundTrip,
                         ::testing::Values(Compression::kNone, Compression::kSnappy, Compression::kGzip,
                                           Compression::kZstd, Compression::kLz4Raw, Compression::kBrotli),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(Compression, Lz4HadoopReadsFramedBlocksAndFallsBackToARawBlock) {
  std::string input = Compressible(30000);
  // Hadoop's framing: [decompressed size, compressed size] big-endian, then a raw LZ4 block; twice.
  std::string framed;
  for (std::string_view part : {std::string_view(input).substr(0, 10000), std::string_view(input).substr(10000)}) {
    std::string block;
    ASSERT_TRUE(Compress(Compression::kLz4Raw, 0, part, &block).ok());
    for (uint32_t v : {static_cast<uint32_t>(part.size()), static_cast<uint32_t>(block.size())}) {
      for (int shift = 24; shift >= 0; shift -= 8) framed.push_back(static_cast<char>(v >> shift));
    }
    framed += block;
  }
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kLz4Hadoop, framed, input.size(), &out).ok());
  EXPECT_EQ(out, input);
  std::string raw;
  ASSERT_TRUE(Compress(Compression::kLz4Raw, 0, input, &raw).ok());
  ASSERT_TRUE(Decompress(Compression::kLz4Hadoop, raw, input.size(), &out).ok());
  EXPECT_EQ(out, input);
  Status bad = Decompress(Compression::kLz4Hadoop, Noise(100), input.size(), &out);
  EXPECT_EQ(bad.code(), StatusCode::kCorruption) << bad.ToString();
  EXPECT_NE(bad.message().find("Hadoop"), std::string::npos) << bad.ToString();
  EXPECT_EQ(Compress(Compression::kLz4Hadoop, 0, input, &out).code(), StatusCode::kInvalidArgument);
}

TEST(Compression, ConcatenatedGzipMembersAreOneStream) {
  std::string input = Compressible(20000), first, second, out;
  ASSERT_TRUE(Compress(Compression::kGzip, 0, std::string_view(input).substr(0, 7000), &first).ok());
  ASSERT_TRUE(Compress(Compression::kGzip, 0, std::string_view(input).substr(7000), &second).ok());
  Status st = Decompress(Compression::kGzip, first + second, input.size(), &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out, input);
  // Fewer bytes than the members hold is still an error.
  EXPECT_EQ(Decompress(Compression::kGzip, first + second, input.size() - 1, &out).code(), StatusCode::kCorruption);
  // Members stop counting once the expected bytes are there, as for a single stream.
  ASSERT_TRUE(Decompress(Compression::kGzip, first + second + first, input.size() + 7000, &out).ok());
  EXPECT_EQ(out, input + input.substr(0, 7000));
}

TEST(Compression, GzipWritesAGzipStreamAndReadsZlibToo) {
  std::string input = Compressible(4096), packed, out;
  ASSERT_TRUE(Compress(Compression::kGzip, 9, input, &packed).ok());
  ASSERT_GE(packed.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(packed[0]), 0x1f);  // RFC 1952 magic
  EXPECT_EQ(static_cast<uint8_t>(packed[1]), 0x8b);
  std::string zlib(compressBound(input.size()), '\0');
  uLongf n = zlib.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib.data()), &n, reinterpret_cast<const Bytef*>(input.data()),
                      input.size(), 6),
            Z_OK);
  zlib.resize(n);
  ASSERT_TRUE(Decompress(Compression::kGzip, zlib, input.size(), &out).ok());
  EXPECT_EQ(out, input);
}

TEST(Compression, LevelsAreCheckedAndUsed) {
  std::string input = Compressible(200000), fast, best, out;
  ASSERT_TRUE(Compress(Compression::kZstd, 1, input, &fast).ok());
  ASSERT_TRUE(Compress(Compression::kZstd, 19, input, &best).ok());
  EXPECT_LE(best.size(), fast.size());
  EXPECT_EQ(Compress(Compression::kGzip, 12, input, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Compression::kZstd, 99, input, &out).code(), StatusCode::kInvalidArgument);
  // Alternating levels on one thread reuse the cached stream correctly.
  ASSERT_TRUE(Compress(Compression::kGzip, 1, input, &fast).ok());
  ASSERT_TRUE(Compress(Compression::kGzip, 9, input, &best).ok());
  ASSERT_TRUE(Decompress(Compression::kGzip, fast, input.size(), &out).ok());
  EXPECT_EQ(out, input);
  ASSERT_TRUE(Decompress(Compression::kGzip, best, input.size(), &out).ok());
  EXPECT_EQ(out, input);
}

TEST(Compression, SnappyIsRawBlockFormat) {
  std::string packed, out;
  ASSERT_TRUE(Compress(Compression::kSnappy, 0, "aaaaaaaaaaaaaaaaaaaa", &packed).ok());
  EXPECT_EQ(static_cast<uint8_t>(packed[0]), 20);  // varint uncompressed length, no stream framing
  ASSERT_TRUE(Decompress(Compression::kSnappy, packed, 20, &out).ok());
  EXPECT_EQ(out, std::string(20, 'a'));
}

}  // namespace
}  // namespace gaggle
