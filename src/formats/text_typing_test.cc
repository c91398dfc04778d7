#include "formats/text_typing.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gaggle {
namespace {

DataType GuessText(std::initializer_list<const char*> values) {
  TextTypeGuess g;
  for (const char* v : values) g.Observe(v);
  return g.Guess();
}

TEST(TextTyping, CsvInferencePicksTheNarrowestType) {
  EXPECT_EQ(GuessText({}), DataType::String());
  EXPECT_EQ(GuessText({"true", "FALSE", "True"}), DataType::Bool());
  EXPECT_EQ(GuessText({"0", "1", "1"}), DataType::Int64());  // 0/1 is not inferred as bool
  EXPECT_EQ(GuessText({"yes", "no"}), DataType::String());
  EXPECT_EQ(GuessText({"1", "-9223372036854775808", "+3"}), DataType::Int64());
  EXPECT_EQ(GuessText({"1", "9223372036854775808"}), DataType::Double());  // beyond int64
  EXPECT_EQ(GuessText({"1", "2.5", "nan", "-inf", "1e10"}), DataType::Double());
  EXPECT_EQ(GuessText({"2024-01-01", "1969-12-31"}), DataType::Date());
  EXPECT_EQ(GuessText({"2024-01-01", "2024-01-01T00:00:01Z"}), DataType::Timestamp());
  EXPECT_EQ(GuessText({"2024-01-01", "12"}), DataType::String());
  EXPECT_EQ(GuessText({"true", "1"}), DataType::String());
  EXPECT_EQ(GuessText({""}), DataType::String());  // a quoted empty string
}

TEST(TextTyping, JsonInferenceWidensOnlyIntToDouble) {
  JsonTypeGuess none;
  EXPECT_EQ(none.Guess(), DataType::String());
  JsonTypeGuess nums;
  nums.ObserveInt();
  EXPECT_EQ(nums.Guess(), DataType::Int64());
  nums.ObserveDouble();
  EXPECT_EQ(nums.Guess(), DataType::Double());
  JsonTypeGuess mixed;
  mixed.ObserveBool();
  mixed.ObserveInt();
  EXPECT_EQ(mixed.Guess(), DataType::String());
  JsonTypeGuess dates;
  dates.ObserveString("2024-01-01");
  EXPECT_EQ(dates.Guess(), DataType::Date());
  dates.ObserveString("2024-01-01 10:00:00+02:00");
  EXPECT_EQ(dates.Guess(), DataType::Timestamp());
  dates.ObserveString("soon");
  EXPECT_EQ(dates.Guess(), DataType::String());
}

TEST(TextTyping, AppendTextParsesEveryTypeExactlyOrLeavesTheColumnAlone) {
  std::string scratch;
  Column dec(DataType::Decimal(5, 2));
  EXPECT_TRUE(AppendText(&dec, "-123.4", &scratch));
  EXPECT_FALSE(AppendText(&dec, "1.234", &scratch));  // would lose a digit
  EXPECT_FALSE(AppendText(&dec, "1234", &scratch));   // beyond precision
  ASSERT_EQ(dec.size(), 1u);
  EXPECT_EQ(dec.Get<int64_t>(0), -12340);

  Column bin(DataType::Binary());
  EXPECT_TRUE(AppendText(&bin, "00fFa0", &scratch));
  EXPECT_FALSE(AppendText(&bin, "abc", &scratch));
  EXPECT_FALSE(AppendText(&bin, "zz", &scratch));
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin.GetString(0), std::string("\x00\xff\xa0", 3));

  Column i32(DataType::Int32());
  EXPECT_FALSE(AppendText(&i32, "2147483648", &scratch));
  EXPECT_TRUE(AppendText(&i32, "-2147483648", &scratch));
  Column f(DataType::Float());
  EXPECT_FALSE(AppendText(&f, "1e39", &scratch));
  EXPECT_TRUE(AppendText(&f, "-inf", &scratch));
  Column b(DataType::Bool());
  EXPECT_TRUE(AppendText(&b, "Yes", &scratch));
  EXPECT_FALSE(AppendText(&b, "2", &scratch));
  EXPECT_EQ(b.Get<uint8_t>(0), 1);
  Column d(DataType::Double());
  EXPECT_FALSE(AppendText(&d, " 1", &scratch));  // no silent trimming
  EXPECT_FALSE(AppendText(&d, "1e999", &scratch));
  EXPECT_EQ(d.size(), 0u);
}

TEST(TextTyping, FloatingTextKeepsItsKind) {
  EXPECT_EQ(FormatDoubleForText(2.0), "2.0");
  EXPECT_EQ(FormatDoubleForText(-0.0), "-0.0");
  EXPECT_EQ(FormatDoubleForText(0.5), "0.5");
  EXPECT_EQ(FormatDoubleForText(1e300), "1e+300");
  EXPECT_EQ(FormatDoubleForText(std::nan("")), "nan");
  EXPECT_EQ(FormatDoubleForText(-INFINITY), "-inf");
  EXPECT_EQ(FormatFloatForText(3.0f), "3.0");
}

}  // namespace
}  // namespace gaggle
