#include "common/utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gaggle {
namespace {

TEST(Utf8, ValidTextPassesThrough) {
  EXPECT_TRUE(IsValidUtf8("héllo wörld €𝄞"));
  EXPECT_EQ(EscapeInvalidUtf8("héllo €𝄞"), "héllo €𝄞");
  EXPECT_EQ(EscapeInvalidUtf8(""), "");
}

TEST(Utf8, InvalidBytesAreEscaped) {
  EXPECT_FALSE(IsValidUtf8("a\xff"));
  EXPECT_EQ(EscapeInvalidUtf8("a\xff"
                              "b"),
            "a\\xffb");
  EXPECT_EQ(EscapeInvalidUtf8("\xc3"), "\\xc3");                    // truncated sequence
  EXPECT_EQ(EscapeInvalidUtf8("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(EscapeInvalidUtf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(EscapeInvalidUtf8("é\x80é"), "é\\x80é");                // valid neighbours kept
  // The result is always valid UTF-8, so JSON can hold it.
  std::string bad("\x00\xfe\xff\xc3\x28", 5);
  std::string escaped = EscapeInvalidUtf8(bad);
  EXPECT_TRUE(IsValidUtf8(escaped));
  EXPECT_NO_THROW((void)nlohmann::json(escaped).dump());
}

}  // namespace
}  // namespace gaggle
