#include "formats/parquet/parquet_delta_decoder.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "formats/parquet/parquet_reader_test_util.h"

namespace gaggle::parquet {
namespace {

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::vector<int64_t> DecodeAll(const std::string& bytes, size_t n, size_t batch, Status* st) {
  DeltaBinaryPackedDecoder d;
  std::vector<int64_t> out(n);
  *st = d.Init(U8(bytes), bytes.size());
  for (size_t i = 0; st->ok() && i < n; i += batch) *st = d.GetBatch(out.data() + i, std::min(batch, n - i));
  return out;
}

TEST(ParquetDeltaDecoder, BinaryPackedRoundTripsAcrossBlocksAndBatches) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> values;
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<int64_t>(rng() % 100000) - 50000 + i * 3);
  values.push_back(std::numeric_limits<int64_t>::max());  // deltas that wrap around
  values.push_back(std::numeric_limits<int64_t>::min());
  values.push_back(0);
  for (size_t batch : {1, 7, 32, 1000, 5000}) {
    std::string bytes = EncodeDeltaBinaryPacked(values, 128, 4);
    Status st;
    EXPECT_EQ(DecodeAll(bytes, values.size(), batch, &st), values) << batch;
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  // Other block layouts: one miniblock of 128, eight of 32... and a single value.
  for (auto [block, mini] : {std::pair{128, 1}, std::pair{256, 8}, std::pair{128, 4}}) {
    std::string bytes = EncodeDeltaBinaryPacked(values, block, mini);
    Status st;
    EXPECT_EQ(DecodeAll(bytes, values.size(), 100, &st), values);
  }
  Status st;
  EXPECT_EQ(DecodeAll(EncodeDeltaBinaryPacked({42}, 128, 4), 1, 1, &st), std::vector<int64_t>{42});
  EXPECT_TRUE(st.ok());
}

TEST(ParquetDeltaDecoder, BinaryPackedInt32WrapsLikeTheWriter) {
  std::vector<int64_t> wide = {std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), -1, 5};
  std::string bytes = EncodeDeltaBinaryPacked(wide, 128, 4);
  DeltaBinaryPackedDecoder d;
  ASSERT_TRUE(d.Init(U8(bytes), bytes.size()).ok());
  std::vector<int32_t> out(4);
  ASSERT_TRUE(d.GetBatch(out.data(), 4).ok());
  EXPECT_EQ(out,
            (std::vector<int32_t>{std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), -1, 5}));
}

TEST(ParquetDeltaDecoder, FindEndSkipsTheStreamWithoutDecoding) {
  std::vector<int64_t> values(300);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i * i);
  std::string bytes = EncodeDeltaBinaryPacked(values, 128, 4);
  std::string padded = bytes + "trailing";
  DeltaBinaryPackedDecoder d;
  ASSERT_TRUE(d.Init(U8(padded), padded.size()).ok());
  size_t end = 0;
  ASSERT_TRUE(d.FindEnd(&end).ok());
  EXPECT_EQ(end, bytes.size());
}

TEST(ParquetDeltaDecoder, BadHeadersAndTruncationAreCorruption) {
  std::vector<int64_t> values(200, 3);
  values[100] = 1 << 20;
  std::string good = EncodeDeltaBinaryPacked(values, 128, 4);
  // Truncated anywhere: Init or GetBatch fails cleanly.
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Status st;
    DecodeAll(good.substr(0, cut), values.size(), 64, &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "cut at " << cut;
  }
  // Block size not a multiple of 128, miniblocks not multiples of 32.
  for (std::string header : {std::string("\x40\x01\x01\x00", 4), std::string("\x80\x01\x03\x01\x00", 5),
                             std::string("\x80\x01\x00\x01\x00", 5)}) {
    DeltaBinaryPackedDecoder d;
    EXPECT_EQ(d.Init(U8(header), header.size()).code(), StatusCode::kCorruption);
  }
  // A bit width over 64.
  // Header: 80 01 (block 128), 04, 03 (values), 02 (first = 1); block: 02 (min delta 1), widths.
  std::string wide = EncodeDeltaBinaryPacked({1, 2, 3}, 128, 4);
  ASSERT_EQ(wide.substr(0, 6), std::string("\x80\x01\x04\x03\x02\x02", 6));
  wide[6] = static_cast<char>(65);
  Status st;
  DecodeAll(wide, 3, 3, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  // Asking for more values than the stream holds.
  DeltaBinaryPackedDecoder d;
  std::string two = EncodeDeltaBinaryPacked({1, 2}, 128, 4);
  ASSERT_TRUE(d.Init(U8(two), two.size()).ok());
  std::vector<int64_t> out(3);
  EXPECT_EQ(d.GetBatch(out.data(), 3).code(), StatusCode::kCorruption);
}

TEST(ParquetDeltaDecoder, LengthByteArray) {
  std::vector<std::string> values = {"", "a", "hello", std::string(300, 'z'), "wörld"};
  std::string bytes = EncodeDeltaLengthByteArray(values);
  DeltaLengthByteArrayDecoder d;
  ASSERT_TRUE(d.Init(U8(bytes), bytes.size()).ok());
  std::vector<std::string_view> out(values.size());
  ASSERT_TRUE(d.GetBatch(out.data(), 2).ok());
  ASSERT_TRUE(d.GetBatch(out.data() + 2, 3).ok());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], values[i]);
  // Bytes section cut short.
  std::string cut = bytes.substr(0, bytes.size() - 3);
  DeltaLengthByteArrayDecoder c;
  ASSERT_TRUE(c.Init(U8(cut), cut.size()).ok());
  EXPECT_EQ(c.GetBatch(out.data(), values.size()).code(), StatusCode::kCorruption);
}

TEST(ParquetDeltaDecoder, ByteArrayRebuildsPrefixesAcrossBatches) {
  std::vector<std::string> values = {"apple", "applesauce", "apply", "banana", "band", "", "bandana", "bandana"};
  std::string bytes = EncodeDeltaByteArray(values);
  DeltaByteArrayDecoder d;
  ASSERT_TRUE(d.Init(U8(bytes), bytes.size()).ok());
  std::vector<std::string> got;
  std::vector<std::string_view> out(3);
  for (size_t i = 0; i < values.size(); i += 3) {
    size_t n = std::min<size_t>(3, values.size() - i);
    ASSERT_TRUE(d.GetBatch(out.data(), n).ok());
    for (size_t j = 0; j < n; ++j) got.emplace_back(out[j]);
  }
  EXPECT_EQ(got, values);
}

TEST(ParquetDeltaDecoder, ByteArrayPrefixLongerThanPreviousIsCorruption) {
  // prefixes {0, 9}: the second claims 9 bytes of a 2-byte first value.
  std::string bytes = EncodeDeltaBinaryPacked({0, 9}, 128, 4) + EncodeDeltaLengthByteArray({"ab", "c"});
  DeltaByteArrayDecoder d;
  ASSERT_TRUE(d.Init(U8(bytes), bytes.size()).ok());
  std::vector<std::string_view> out(2);
  Status st = d.GetBatch(out.data(), 2);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("prefix length 9"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace gaggle::parquet
