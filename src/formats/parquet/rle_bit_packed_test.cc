#include "formats/parquet/rle_bit_packed.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace gaggle::parquet {
namespace {

std::string Encode(int bit_width, const std::vector<uint32_t>& values) {
  RleBitPackedEncoder enc(bit_width);
  for (uint32_t v : values) enc.Put(v);
  std::string out;
  enc.FinishTo(&out);
  return out;
}

std::vector<uint32_t> Decode(const std::string& bytes, int bit_width, size_t n, Status* st = nullptr) {
  RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), bit_width);
  std::vector<uint32_t> out(n);
  Status s = dec.GetBatch(out.data(), n);
  if (st != nullptr) *st = s;
  return out;
}

std::string Hex(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    out += buf;
  }
  return out;
}

TEST(RleBitPacked, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
  EXPECT_EQ(BitWidth(0xFFFFFFFFull), 32);
}

TEST(RleBitPacked, SpecExampleBitPacking) {
  // Encodings.md: 0..7 with bit width 3 pack into 10001000 11000110 11111010; one group -> header 0x03.
  EXPECT_EQ(Hex(Encode(3, {0, 1, 2, 3, 4, 5, 6, 7})), "0388c6fa");
}

TEST(RleBitPacked, RepeatedValuesBecomeRleRuns) {
  // 100 ones at width 1: header varint(100 << 1) = c8 01, value in one byte.
  EXPECT_EQ(Hex(Encode(1, std::vector<uint32_t>(100, 1))), "c80101");
  // Width 9 stores the run value in two bytes (LE).
  EXPECT_EQ(Hex(Encode(9, std::vector<uint32_t>(10, 300))), "142c01");
  // Short tail is padded to a full group.
  EXPECT_EQ(Hex(Encode(1, {1, 0, 1})), "0305");
}

TEST(RleBitPacked, RandomRoundTripsAtEveryWidth) {
  std::mt19937 rng(42);
  for (int width = 0; width <= 32; ++width) {
    uint64_t limit = width == 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
    std::vector<uint32_t> values;
    for (int chunk = 0; chunk < 60; ++chunk) {
      uint32_t v = static_cast<uint32_t>(rng() & limit);
      size_t len = rng() % 3 == 0 ? rng() % 40 : 1;  // mix runs and noise
      for (size_t i = 0; i < len; ++i) values.push_back(rng() % 2 ? v : static_cast<uint32_t>(rng() & limit));
    }
    std::string bytes = Encode(width, values);
    Status st;
    EXPECT_EQ(Decode(bytes, width, values.size(), &st), values) << "width " << width;
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

TEST(RleBitPacked, LongLiteralRunsSplitAt63Groups) {
  std::vector<uint32_t> values;
  for (int i = 0; i < 8 * 200; ++i) values.push_back(static_cast<uint32_t>(i % 5));
  std::string bytes = Encode(3, values);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), (63 << 1) | 1);
  EXPECT_EQ(Decode(bytes, 3, values.size()), values);
}

TEST(RleBitPacked, PutRepeatedMatchesPut) {
  std::vector<std::pair<uint32_t, size_t>> runs = {{1, 3}, {0, 1}, {1, 1000}, {0, 7}, {1, 9}, {0, 100000}, {1, 1}};
  RleBitPackedEncoder fast(1);
  std::vector<uint32_t> values;
  for (auto [v, n] : runs) {
    fast.PutRepeated(v, n);
    values.insert(values.end(), n, v);
  }
  std::string fast_bytes;
  fast.FinishTo(&fast_bytes);
  EXPECT_EQ(fast_bytes, Encode(1, values));
  EXPECT_EQ(Decode(fast_bytes, 1, values.size()), values);
  EXPECT_LT(fast_bytes.size(), 40u);
}

TEST(RleBitPacked, EncoderIsReusableAfterFinish) {
  RleBitPackedEncoder enc(2);
  std::string a, b;
  for (uint32_t v : {1u, 2u, 3u}) enc.Put(v);
  enc.FinishTo(&a);
  for (uint32_t v : {1u, 2u, 3u}) enc.Put(v);
  enc.FinishTo(&b);
  EXPECT_EQ(a, b);
}

TEST(RleBitPacked, DecoderRejectsBadInput) {
  Status st;
  Decode("", 1, 1, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(std::string("\x10", 1), 1, 8, &st);  // RLE run of 8 with its value byte missing
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(std::string("\x10\x05", 2), 2, 8, &st);  // run value 5 does not fit in 2 bits
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("does not fit"), std::string::npos);
  Decode(std::string("\x04\x01", 2), 1, 5, &st);  // run of 2, then nothing for 3 more
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(std::string("\xff\xff\xff\xff\xff\xff", 6), 1, 5, &st);  // overlong header varint
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(std::string("\x03", 1), 4, 8, &st);  // literal run with no bytes at all
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(RleBitPacked, DecoderAcceptsAShortFinalLiteralRun) {
  // Header says 2 groups (16 values at width 1 = 2 bytes) but only 1 byte follows: 8 values usable.
  std::string bytes("\x05\xA5", 2);
  Status st;
  std::vector<uint32_t> v = Decode(bytes, 1, 8, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(v, (std::vector<uint32_t>{1, 0, 1, 0, 0, 1, 0, 1}));
  Decode(bytes, 1, 9, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(RleBitPacked, DecodesIntoNarrowTypes) {
  std::vector<uint32_t> values = {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::string bytes = Encode(1, values);
  RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 1);
  std::vector<uint8_t> out(values.size());
  ASSERT_TRUE(dec.GetBatch(out.data(), 5).ok());
  ASSERT_TRUE(dec.GetBatch(out.data() + 5, values.size() - 5).ok());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], values[i]) << i;
}

}  // namespace
}  // namespace gaggle::parquet
