#include "formats/text_input.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "formats/memory_files.h"

namespace gaggle {
namespace {

TEST(TextInput, RefillKeepsTheTailAndReportsTheShift) {
  TextInput input(std::make_unique<StringSequentialFile>("mem", "abcdefghij", 3), 4, 16);
  size_t shift = 0;
  auto got = input.Refill(0, &shift);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 4u);  // short reads are gathered up to one chunk
  EXPECT_EQ(std::string(input.data(), input.size()), "abcd");
  got = input.Refill(3, &shift);  // keep "d"
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(shift, 3u);
  EXPECT_EQ(std::string(input.data(), input.size()), "defgh");
  EXPECT_EQ(input.FileOffset(0), 3u);
  EXPECT_EQ(input.data()[input.size()], '\0');  // zeroed padding after the window
  got = input.Refill(input.size(), &shift);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(input.data(), input.size()), "ij");
  EXPECT_TRUE(input.eof());  // the file said 0 while the chunk was being filled
  got = input.Refill(0, &shift);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
  EXPECT_TRUE(input.eof());
  EXPECT_EQ(input.FileOffset(1), 9u);
}

TEST(TextInput, TheWindowIsCapped) {
  TextInput input(std::make_unique<StringSequentialFile>("big", std::string(100, 'x')), 8, 20);
  size_t shift = 0;
  Status st;
  for (int i = 0; i < 10 && st.ok(); ++i) st = input.Refill(0, &shift).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("big"), std::string::npos);
  EXPECT_LE(input.size(), 20u);
}

TEST(TextInput, MessagesNameWhereAndCutLongText) {
  EXPECT_EQ(TextLocation("f.csv", 3, 17), "f.csv: line 3 (byte 17): ");
  EXPECT_EQ(QuoteForMessage("abc"), "'abc'");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'z')), "'" + std::string(64, 'z') + "...'");
}

// Against the plain count, at every length around the 16-byte steps and the 255-round
// flush (4,080 bytes), with line breaks dense, sparse, and at every lane.
TEST(TextInput, CountLineBreaksMatchesAPlainCount) {
  std::string text;
  for (size_t i = 0; i < 20000; ++i)
    text.push_back(i % 7 == 0 || i % 4093 == 5 ? '\n' : static_cast<char>('a' + i % 26));
  for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 4079, 4080, 4081, 4096, 8161, 20000}) {
    std::string_view part(text.data(), len);
    EXPECT_EQ(CountLineBreaks(part), static_cast<uint64_t>(std::count(part.begin(), part.end(), '\n'))) << len;
  }
  const std::string all(9000, '\n');
  EXPECT_EQ(CountLineBreaks(all), 9000u) << "every byte: no lane overflows";
  EXPECT_EQ(CountLineBreaks(std::string(5000, '\xff')), 0u);
}

}  // namespace
}  // namespace gaggle
