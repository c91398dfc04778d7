#include "transform/cast.h"

#include <gtest/gtest.h>

#include <limits>

namespace gaggle {
namespace {

const DataType kAll[] = {DataType::Bool(),      DataType::Int32(),       DataType::Int64(),  DataType::Float(),
                         DataType::Double(),    DataType::String(),      DataType::Binary(), DataType::Date(),
                         DataType::Timestamp(), DataType::Decimal(10, 2)};

// The plan-time matrix: exactly the documented casts exist.
TEST(Cast, PlanTimeMatrix) {
  auto ok = [](const DataType& from, const DataType& to) { return CheckCast(from, to).ok(); };
  for (const DataType& t : kAll) {
    EXPECT_TRUE(ok(t, t)) << t.ToString();
    EXPECT_TRUE(ok(DataType::String(), t)) << t.ToString();
    EXPECT_TRUE(ok(t, DataType::String())) << t.ToString();
  }
  EXPECT_TRUE(ok(DataType::Bool(), DataType::Int32()));
  EXPECT_TRUE(ok(DataType::Int64(), DataType::Bool()));
  EXPECT_TRUE(ok(DataType::Double(), DataType::Int32()));
  EXPECT_TRUE(ok(DataType::Decimal(10, 2), DataType::Float()));
  EXPECT_TRUE(ok(DataType::Int32(), DataType::Decimal(5, 0)));
  EXPECT_TRUE(ok(DataType::Timestamp(), DataType::Date()));
  EXPECT_TRUE(ok(DataType::Date(), DataType::Timestamp()));
  EXPECT_TRUE(ok(DataType::Binary(), DataType::String()));
  for (auto [from, to] : std::vector<std::pair<DataType, DataType>>{{DataType::Date(), DataType::Bool()},
                                                                    {DataType::Binary(), DataType::Double()},
                                                                    {DataType::Bool(), DataType::Double()},
                                                                    {DataType::Double(), DataType::Bool()},
                                                                    {DataType::Int64(), DataType::Timestamp()},
                                                                    {DataType::Timestamp(), DataType::Int64()},
                                                                    {DataType::Date(), DataType::Int32()},
                                                                    {DataType::Int64(), DataType::Binary()},
                                                                    {DataType::Decimal(10, 2), DataType::Bool()},
                                                                    {DataType::Date(), DataType::Decimal(10, 2)}}) {
    Status st = CheckCast(from, to);
    EXPECT_EQ(st.code(), StatusCode::kTypeError) << from.ToString() << " -> " << to.ToString();
    EXPECT_EQ(st.message(), "cannot cast " + from.ToString() + " to " + to.ToString());
  }
  Column c(DataType::Date());
  c.Append<int32_t>(1);
  std::vector<RowError> errors;
  EXPECT_EQ(CastColumn(c, DataType::Bool(), &errors).status().code(), StatusCode::kTypeError);
}

TEST(Cast, FailuresAreRowsNotBatches) {
  Column in(DataType::String());
  for (const char* s : {"1", "x", "3", "", "5"}) in.AppendString(s);
  in.AppendNull();
  std::vector<RowError> errors;
  auto out = CastColumn(in, DataType::Int64(), &errors);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 6u);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (RowError{1, "cannot parse 'x' as int64"}));
  EXPECT_EQ(errors[1], (RowError{3, "cannot parse '' as int64"}));
  EXPECT_EQ(out->Get<int64_t>(0), 1);
  EXPECT_TRUE(out->IsNull(1));
  EXPECT_EQ(out->Get<int64_t>(4), 5);
  EXPECT_TRUE(out->IsNull(5));
  EXPECT_EQ(out->null_count(), 3u);
}

TEST(Cast, BinaryToStringChecksUtf8AndLongValuesAreShortenedInReasons) {
  Column in(DataType::Binary());
  in.AppendString("caf\xc3\xa9");
  in.AppendString("\xff\xfe");
  in.AppendString("\xc0\xaf");          // overlong '/'
  in.AppendString("\xed\xa0\x80");      // a UTF-16 surrogate
  in.AppendString("\xf0\x9f\x98\x80");  // U+1F600
  std::vector<RowError> errors;
  auto out = CastColumn(in, DataType::String(), &errors);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->GetString(0), "caf\xc3\xa9");
  EXPECT_EQ(out->GetString(4), "\xf0\x9f\x98\x80");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].reason, "bytes fffe are not valid UTF-8");
  EXPECT_EQ(errors[1].row, 2u);
  EXPECT_EQ(errors[2].row, 3u);

  Column big(DataType::String());
  big.AppendString(std::string(10000, 'z'));
  errors.clear();
  ASSERT_TRUE(CastColumn(big, DataType::Double(), &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_LT(errors[0].reason.size(), 100u);
  EXPECT_NE(errors[0].reason.find("zzz..."), std::string::npos);
}

TEST(Cast, ExtremesDoNotOverflowSilently) {
  Column d(DataType::Date());
  d.Append<int32_t>(std::numeric_limits<int32_t>::max());
  d.Append<int32_t>(std::numeric_limits<int32_t>::min());
  d.Append<int32_t>(106751991);  // the last date whose midnight fits in int64 microseconds
  std::vector<RowError> errors;
  auto ts = CastColumn(d, DataType::Timestamp(), &errors);
  ASSERT_TRUE(ts.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].reason.find("is out of the timestamp range"), std::string::npos);
  EXPECT_EQ(ts->Get<int64_t>(2), 106751991LL * 86400000000LL);

  Column t(DataType::Timestamp());
  t.Append<int64_t>(std::numeric_limits<int64_t>::min());
  t.Append<int64_t>(std::numeric_limits<int64_t>::max());
  t.Append<int64_t>(-1);
  errors.clear();
  auto date = CastColumn(t, DataType::Date(), &errors);
  ASSERT_TRUE(date.ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(date->Get<int32_t>(0), -106751992);
  EXPECT_EQ(date->Get<int32_t>(1), 106751991);
  EXPECT_EQ(date->Get<int32_t>(2), -1);

  Column m(DataType::Decimal(18, 0));
  m.Append<int64_t>(999999999999999999LL);
  errors.clear();
  auto m2 = CastColumn(m, DataType::Decimal(18, 2), &errors);
  ASSERT_TRUE(m2.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "value 999999999999999999 is out of range for decimal(18,2)");

  Column f(DataType::Double());
  f.Append<double>(9223372036854775808.0);
  f.Append<double>(-9223372036854775808.0);
  f.Append<double>(std::numeric_limits<double>::infinity());
  f.Append<double>(0.1);
  errors.clear();
  auto i = CastColumn(f, DataType::Int64(), &errors);
  ASSERT_TRUE(i.ok());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].row, 0u);
  EXPECT_EQ(i->Get<int64_t>(1), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(errors[1].row, 2u);
  errors.clear();
  auto dec = CastColumn(f, DataType::Decimal(4, 1), &errors);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->Get<int64_t>(3), 1);  // 0.1 as written, not 0.1000000000000000055
  EXPECT_EQ(errors.size(), 3u);
}

}  // namespace
}  // namespace gaggle
