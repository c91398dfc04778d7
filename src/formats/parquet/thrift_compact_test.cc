#include "formats/parquet/thrift_compact.h"

#include <gtest/gtest.h>

namespace gaggle::thrift {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

TEST(ThriftCompact, WriterProducesSpecBytes) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 1);      // delta 1, type i32 (5), zigzag(1) = 2
  w.FieldBool(2, true);  // bool folded into the type nibble
  w.FieldBool(3, false);
  w.FieldI64(20, -1);       // delta 17 > 15: long form, type byte then zigzag i16 id 40
  w.FieldBinary(21, "hi");  // varint length then bytes
  w.FieldI32(22, 300);      // zigzag 600 = 0xD8 0x04
  w.FieldListBegin(23, CType::kI32, 3);
  w.ElemI32(0);
  w.ElemI32(-1);
  w.ElemI32(1);
  w.FieldStructBegin(24);
  w.FieldI8(1, -2);
  w.EndStruct();
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x15, 0x02, 0x11, 0x12, 0x06, 0x28, 0x01, 0x18, 0x02, 'h',  'i',  0x15,
                        0xD8, 0x04, 0x19, 0x35, 0x00, 0x01, 0x02, 0x1C, 0x13, 0xFE, 0x00, 0x00}));
}

TEST(ThriftCompact, LongListsUseTheVarintSize) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldListBegin(1, CType::kBinary, 20);
  for (int i = 0; i < 20; ++i) w.ElemBinary("");
  w.EndStruct();
  EXPECT_EQ(out.substr(0, 3), Bytes({0x19, 0xF8, 20}));
  CompactReader r(out);
  ASSERT_TRUE(r.BeginStruct().ok());
  int16_t id = 0;
  CType t = CType::kStop;
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  CType elem = CType::kStop;
  uint32_t n = 0;
  ASSERT_TRUE(r.ReadListBegin(&elem, &n).ok());
  EXPECT_EQ(elem, CType::kBinary);
  EXPECT_EQ(n, 20u);
}

TEST(ThriftCompact, ReaderRoundTripsAndSkips) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI64(1, INT64_MIN);
  w.FieldDouble(2, 2.5);
  w.FieldStructBegin(3);  // an "unknown" nested struct with a list of structs inside
  w.FieldListBegin(1, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.BeginStruct();
    w.FieldBool(5, true);
    w.FieldBinary(6, "x");
    w.EndStruct();
  }
  w.FieldI16(2, -300);
  w.EndStruct();
  w.FieldBool(4, true);
  w.FieldI32(1000, 7);  // far field id (long form, id > delta range)
  w.EndStruct();

  CompactReader r(out);
  ASSERT_TRUE(r.BeginStruct().ok());
  int16_t id = 0;
  CType t = CType::kStop;
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(id, 1);
  int64_t i64 = 0;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, INT64_MIN);
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  double d = 0;
  ASSERT_TRUE(r.ReadDouble(&d).ok());
  EXPECT_EQ(d, 2.5);
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(t, CType::kStruct);
  ASSERT_TRUE(r.Skip(t).ok());
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(id, 4);
  bool b = false;
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(id, 1000);
  int32_t i32 = 0;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, 7);
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(t, CType::kStop);
  ASSERT_TRUE(r.EndStruct().ok());
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompact, SkipsMapsAndSets) {
  // struct { 1: map<i32,binary> {1:"a"}, 2: set<i32> {5}, 3: map {} } then i32 field 4 = 9.
  std::string in = Bytes({0x1B, 0x01, 0x58, 0x02, 0x01, 'a', 0x1A, 0x15, 0x0A, 0x1B, 0x00, 0x15, 0x12, 0x00});
  CompactReader r(in);
  ASSERT_TRUE(r.BeginStruct().ok());
  int16_t id = 0;
  CType t = CType::kStop;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(r.NextField(&id, &t).ok());
    Status st = r.Skip(t);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  EXPECT_EQ(id, 4);
  int32_t v = 0;
  ASSERT_TRUE(r.ReadI32(&v).ok());
  EXPECT_EQ(v, 9);
}

TEST(ThriftCompact, MalformedInputIsCorruptionWithOffset) {
  std::string truncated_binary = Bytes({0x18, 0x10, 'a'});  // claims 16 bytes, has 1
  CompactReader r(truncated_binary);
  ASSERT_TRUE(r.BeginStruct().ok());
  int16_t id = 0;
  CType t = CType::kStop;
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  std::string s;
  Status st = r.ReadBinary(&s);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("byte offset 1"), std::string::npos) << st.message();

  std::string endless_varint(12, static_cast<char>(0xFF));
  CompactReader v(endless_varint);
  int64_t x = 0;
  EXPECT_EQ(v.ReadI64(&x).code(), StatusCode::kCorruption);

  std::string big_list = Bytes({0xF5, 0xFF, 0xFF, 0xFF, 0x0F});  // 2^32-1 elements in 5 bytes
  CompactReader l(big_list);
  CType e = CType::kStop;
  uint32_t n = 0;
  EXPECT_EQ(l.ReadListBegin(&e, &n).code(), StatusCode::kCorruption);

  std::string bad_type = Bytes({0x1D});  // type 13 does not exist
  CompactReader b(bad_type);
  ASSERT_TRUE(b.BeginStruct().ok());
  EXPECT_EQ(b.NextField(&id, &t).code(), StatusCode::kCorruption);

  std::string i32_overflow = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
  CompactReader o(i32_overflow);
  int32_t y = 0;
  EXPECT_EQ(o.ReadI32(&y).code(), StatusCode::kCorruption);
}

TEST(ThriftCompact, DeepNestingIsRefused) {
  // 100 nested struct fields (field 1, type struct) never closed.
  std::string deep(100, static_cast<char>(0x1C));
  CompactReader r(deep);
  ASSERT_TRUE(r.BeginStruct().ok());
  int16_t id = 0;
  CType t = CType::kStop;
  ASSERT_TRUE(r.NextField(&id, &t).ok());
  Status st = r.Skip(t);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("deeper"), std::string::npos) << st.message();

  std::string deep_lists(200, static_cast<char>(0x19));  // list<list<list<...>>> of one element each
  CompactReader l(deep_lists);
  EXPECT_EQ(l.Skip(CType::kList).code(), StatusCode::kCorruption);
}

TEST(ThriftCompact, EveryPrefixOfValidInputFailsCleanly) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldBinary(1, "hello");
  w.FieldListBegin(2, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.BeginStruct();
    w.FieldI64(1, 123456789);
    w.EndStruct();
  }
  w.EndStruct();
  for (size_t n = 0; n < out.size(); ++n) {
    CompactReader r(std::string_view(out).substr(0, n));
    EXPECT_FALSE(r.Skip(CType::kStruct).ok()) << "prefix " << n;
  }
  CompactReader full(out);
  EXPECT_TRUE(full.Skip(CType::kStruct).ok());
}

}  // namespace
}  // namespace gaggle::thrift
