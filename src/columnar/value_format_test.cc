#include "columnar/value_format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>

namespace gaggle {
namespace {

TEST(ValueFormat, DatesRoundTripAcrossEras) {
  for (int32_t d : {-719468, -1, 0, 1, 10957, 19000, 2932896}) {
    int32_t back;
    ASSERT_TRUE(ParseDate(FormatDate(d), &back)) << FormatDate(d);
    EXPECT_EQ(back, d);
  }
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  int32_t d;
  EXPECT_TRUE(ParseDate("2024-02-29", &d));
  EXPECT_FALSE(ParseDate("2023-02-29", &d));
  EXPECT_FALSE(ParseDate("2023-13-01", &d));
  EXPECT_FALSE(ParseDate("2023-01-01x", &d));
}

TEST(ValueFormat, TimestampsParseOffsetsAndFractions) {
  int64_t us;
  ASSERT_TRUE(ParseTimestamp("2024-01-02T03:04:05.123456Z", &us));
  EXPECT_EQ(FormatTimestamp(us), "2024-01-02T03:04:05.123456Z");
  ASSERT_TRUE(ParseTimestamp("2024-01-02 05:04:05+02:00", &us));
  EXPECT_EQ(FormatTimestamp(us), "2024-01-02T03:04:05Z");
  ASSERT_TRUE(ParseTimestamp("1969-12-31T23:59:59.5Z", &us));
  EXPECT_EQ(us, -500000);
  EXPECT_EQ(FormatTimestamp(-500000), "1969-12-31T23:59:59.500000Z");
  ASSERT_TRUE(ParseTimestamp("2024-01-02", &us));
  EXPECT_FALSE(ParseTimestamp("2024-01-02T25:00:00", &us));
  EXPECT_FALSE(ParseTimestamp("2024-01-02T03:04:05.1234567Z", &us));  // sub-microsecond digits lost
  EXPECT_TRUE(ParseTimestamp("2024-01-02T03:04:05.123456000Z", &us));
}

TEST(ValueFormat, NumbersAreExact) {
  int64_t i;
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &i));
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808", &i));
  EXPECT_FALSE(ParseInt64("12a", &i));
  EXPECT_FALSE(ParseInt64("", &i));
  int32_t i32;
  EXPECT_FALSE(ParseInt32("2147483648", &i32));
  double v;
  EXPECT_TRUE(ParseDouble("1e-3", &v));
  EXPECT_DOUBLE_EQ(v, 0.001);
  EXPECT_TRUE(ParseDouble("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_TRUE(ParseDouble("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_FALSE(ParseDouble("1e999", &v));
  EXPECT_FALSE(ParseDouble("--1", &v));
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  bool b;
  EXPECT_TRUE(ParseBool("TRUE", &b) && b);
  EXPECT_TRUE(ParseBool("0", &b) && !b);
  EXPECT_FALSE(ParseBool("2", &b));
}

TEST(ValueFormat, DecimalsKeepScaleAndRefuseLoss) {
  int64_t u;
  ASSERT_TRUE(ParseDecimal("-12.5", 2, 10, &u));
  EXPECT_EQ(u, -1250);
  EXPECT_EQ(FormatDecimal(u, 2), "-12.50");
  EXPECT_EQ(FormatDecimal(5, 3), "0.005");
  EXPECT_FALSE(ParseDecimal("1.234", 2, 10, &u));
  EXPECT_FALSE(ParseDecimal("123456789", 2, 8, &u));
  EXPECT_EQ(FormatDecimal(INT64_MIN, 0), "-9223372036854775808");
  EXPECT_FALSE(ParseDecimal("1", 0, 19, &u));  // 19 digits need the 128-bit parser
}

TEST(ValueFormat, WideDecimalsHold38Digits) {
  Int128 u = 0;
  const std::string max38 = "99999999999999999999999999999999999.999";
  ASSERT_TRUE(ParseDecimal128(max38, 3, 38, &u));
  EXPECT_EQ(u, Pow10Int128(38) - 1);
  EXPECT_EQ(FormatDecimal128(u, 3), max38);
  EXPECT_EQ(FormatDecimal128(-u, 3), "-" + max38);
  EXPECT_FALSE(ParseDecimal128("1" + max38, 3, 38, &u));  // 39 digits
  EXPECT_FALSE(ParseDecimal128("1.0001", 3, 38, &u));     // loses a digit
  ASSERT_TRUE(ParseDecimal128("000000000000000000000000000000000000000012.5", 2, 20, &u));
  EXPECT_EQ(u, 1250);
  ASSERT_TRUE(ParseDecimal128("-0.05", 2, 20, &u));
  EXPECT_EQ(FormatDecimal128(u, 2), "-0.05");
  EXPECT_EQ(FormatDecimal128(0, 0), "0");
  EXPECT_FALSE(ParseDecimal128("1", 0, 39, &u));  // precision past 38
}

TEST(ValueFormat, BigDecimalsRenderExactly) {
  std::string out;
  ASSERT_TRUE(FormatBigDecimal(std::string("\x01\x00", 2), 5, 2, &out));
  EXPECT_EQ(out, "2.56");
  ASSERT_TRUE(FormatBigDecimal(std::string("\xff\xff\xff\xfe", 4), 5, 1, &out));  // -2
  EXPECT_EQ(out, "-0.2");
  // 2^255 - 1 has 77 digits.
  std::string max256 = "\x7f" + std::string(31, '\xff');
  ASSERT_TRUE(FormatBigDecimal(max256, 77, 0, &out));
  EXPECT_EQ(out, "57896044618658097711785492504343953926634992332820282019728792003956564819967");
  EXPECT_FALSE(FormatBigDecimal(max256, 76, 0, &out));  // more digits than the precision
  EXPECT_FALSE(FormatBigDecimal("", 5, 0, &out));
  ASSERT_TRUE(FormatBigDecimal(std::string(40, '\0'), 3, 3, &out));  // leading zero bytes are fine
  EXPECT_EQ(out, "0.000");
}

TEST(ValueFormat, NaiveTimestampsHaveNoZone) {
  int64_t us;
  ASSERT_TRUE(ParseTimestamp("2024-01-02T03:04:05.25", &us));
  EXPECT_EQ(FormatTimestamp(us, /*utc=*/false), "2024-01-02T03:04:05.250000");
  EXPECT_EQ(FormatTimestamp(us), "2024-01-02T03:04:05.250000Z");
}

}  // namespace
}  // namespace gaggle
