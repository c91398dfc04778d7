// Interop: Avro files written by other implementations (python3-avro, avro-c's own
// file writer) read exactly, and files we write read exactly in python3-avro.
// python3-avro is required: a missing one FAILS these tests (apt-get install python3-avro).
#include <avro.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "columnar/value_format.h"
#include "common/source_dir_test_util.h"
#include "formats/avro/avro_test_util.h"

namespace gaggle {
namespace {

using avro_test::ReadAll;
using avro_test::ScratchDir;

const char* kPython = "/usr/bin/python3";

std::string OracleScript() { return gaggle::testing::SourceRoot() + "/tests/oracle/write_avro.py"; }

// Runs the oracle; returns its exit code and stdout (stderr goes to the test log).
int RunOracle(const std::string& args, std::string* out) {
  std::string cmd = std::string(kPython) + " '" + OracleScript() + "' " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define REQUIRE_ORACLE(code, out)                                                                      \
  ASSERT_NE(code, 3) << "python3-avro is missing for " << kPython << ": apt-get install python3-avro"; \
  ASSERT_EQ(code, 0) << "oracle " << OracleScript() << " failed under " << kPython << ":\n" << out

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

int64_t Micros(int64_t y, unsigned mo, unsigned d, int64_t h, int64_t mi, int64_t s, int64_t us) {
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 * 1000000 + s * 1000000 + us;
}

// ---- python3-avro -> gaggle ----

struct Expect {
  const RecordBatch& b;
  size_t row;
  bool Null(int c) const { return b.columns[c].IsNull(row); }
  std::string_view S(int c) const { return b.columns[c].GetString(row); }
  template <typename T>
  T V(int c) const {
    return b.columns[c].Get<T>(row);
  }
};

void CheckFormulaRow(const RecordBatch& b, size_t r, int64_t i) {
  Expect e{b, r};
  SCOPED_TRACE("formula row " + std::to_string(i));
  EXPECT_EQ(e.V<int64_t>(0), i * 1000003);
  EXPECT_EQ(e.V<uint8_t>(1), i % 2 == 0 ? 1 : 0);
  if (i % 3 != 0) {
    ASSERT_FALSE(e.Null(2));
    EXPECT_EQ(e.V<int32_t>(2), i % 7);
  } else {
    EXPECT_TRUE(e.Null(2));
  }
  EXPECT_EQ(e.V<float>(3), static_cast<float>(i) / 4.0f);
  EXPECT_EQ(e.V<double>(4), static_cast<double>(i) * 0.5 - 100);
  if (i % 5 == 0) {
    EXPECT_TRUE(e.Null(5));
  } else {
    EXPECT_EQ(e.S(5), "n" + std::to_string(i));
  }
  EXPECT_EQ(e.S(6), std::string(static_cast<size_t>(i % 9), static_cast<char>(i % 256)));
  const char* colors[] = {"RED", "GREEN", "BLUE"};
  EXPECT_EQ(e.S(7), colors[i % 3]);
  std::string hash = {static_cast<char>(i >> 24), static_cast<char>(i >> 16), static_cast<char>(i >> 8),
                      static_cast<char>(i)};
  EXPECT_EQ(e.S(8), hash);
  EXPECT_EQ(e.V<int32_t>(9), i);
  EXPECT_EQ(e.V<int64_t>(10), i * 1001 * 1000);
  if (i % 4 == 0) {
    EXPECT_TRUE(e.Null(11));
  } else {
    EXPECT_EQ(e.V<int64_t>(11), i * 7);
  }
  EXPECT_EQ(e.V<int64_t>(12), i * 3);
  EXPECT_EQ(e.V<int64_t>(13), -i);
  char uid[64];
  std::snprintf(uid, sizeof(uid), "%08llx-0000-4000-8000-%012llx", static_cast<unsigned long long>(i),
                static_cast<unsigned long long>(i * 3));
  EXPECT_EQ(e.S(14), uid);
  EXPECT_EQ(e.S(15), "c" + std::to_string(i));
  EXPECT_EQ(e.V<int32_t>(16), i);
  if (i % 2 != 0) {
    EXPECT_TRUE(e.Null(17));
    EXPECT_TRUE(e.Null(18));
  } else {
    EXPECT_EQ(e.S(17), "b" + std::to_string(i));
    if (i % 3 != 0) {
      EXPECT_TRUE(e.Null(18));
    } else {
      EXPECT_EQ(e.V<int32_t>(18), i);
    }
  }
}

void CheckFixedRows(const RecordBatch& b) {
  Expect r0{b, 0}, r1{b, 1}, r2{b, 2};
  // Row 0.
  EXPECT_EQ(r0.V<int64_t>(0), 1);
  EXPECT_EQ(r0.V<uint8_t>(1), 1);
  EXPECT_TRUE(r0.Null(2));
  EXPECT_EQ(r0.V<float>(3), 0.5f);
  EXPECT_EQ(r0.V<double>(4), -1.25);
  EXPECT_EQ(r0.S(5), "alice");
  EXPECT_EQ(r0.S(6), std::string("\x00\x01", 2));
  EXPECT_EQ(r0.S(7), "RED");
  EXPECT_EQ(r0.S(8), "abcd");
  EXPECT_EQ(r0.V<int32_t>(9), DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(r0.V<int64_t>(10), Micros(2024, 1, 2, 3, 4, 5, 678000));
  EXPECT_EQ(r0.V<int64_t>(11), Micros(2024, 1, 2, 3, 4, 5, 123456));
  EXPECT_EQ(r0.V<int64_t>(12), 123456);
  EXPECT_EQ(r0.V<int64_t>(13), -1);
  EXPECT_EQ(r0.S(14), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(r0.S(15), "Zürich");
  EXPECT_EQ(r0.V<int32_t>(16), 8001);
  EXPECT_TRUE(r0.Null(17));
  EXPECT_TRUE(r0.Null(18));
  // Row 1.
  EXPECT_EQ(r1.V<int64_t>(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r1.V<uint8_t>(1), 0);
  EXPECT_EQ(r1.V<int32_t>(2), std::numeric_limits<int32_t>::min());
  EXPECT_TRUE(r1.Null(3));
  EXPECT_TRUE(std::isnan(r1.V<double>(4)));
  ASSERT_FALSE(r1.Null(5));
  EXPECT_EQ(r1.S(5), "");
  EXPECT_EQ(r1.S(6), "");
  EXPECT_EQ(r1.S(7), "BLUE");
  EXPECT_EQ(r1.S(8), "\xff\xff\xff\xff");
  EXPECT_EQ(r1.V<int32_t>(9), -1);
  EXPECT_EQ(r1.V<int64_t>(10), -1000);
  EXPECT_TRUE(r1.Null(11));
  EXPECT_EQ(r1.V<int64_t>(12), -999999999999);
  EXPECT_EQ(r1.V<int64_t>(13), 999999999999999999);
  EXPECT_EQ(r1.S(15), "");
  EXPECT_TRUE(r1.Null(16));
  EXPECT_EQ(r1.S(17), "Genève");
  EXPECT_EQ(r1.V<int32_t>(18), 1201);
  // Row 2.
  EXPECT_EQ(r2.V<int64_t>(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r2.V<int32_t>(2), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(r2.V<float>(3), std::numeric_limits<float>::infinity());
  EXPECT_EQ(r2.V<double>(4), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r2.S(5), "日本語 🚀");
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  EXPECT_EQ(r2.S(6), all_bytes);
  EXPECT_EQ(r2.S(7), "GREEN");
  EXPECT_EQ(r2.S(8), std::string(4, '\0'));
  EXPECT_EQ(r2.V<int32_t>(9), -719162);
  EXPECT_EQ(r2.V<int64_t>(10), 0);
  EXPECT_EQ(r2.V<int64_t>(11), Micros(9999, 12, 31, 23, 59, 59, 999999));
  EXPECT_EQ(r2.V<int64_t>(12), 0);
  EXPECT_EQ(r2.V<int64_t>(13), 0);
  EXPECT_EQ(r2.S(14), "ffffffff-ffff-ffff-ffff-ffffffffffff");
  EXPECT_EQ(r2.S(15), "x");
  EXPECT_EQ(r2.V<int32_t>(16), 0);
  EXPECT_EQ(r2.S(17), "y");
  EXPECT_TRUE(r2.Null(18));
}

TEST(AvroInterop, PythonWrittenFilesReadExactly) {
  ScratchDir dir;
  std::string out;
  int code = RunOracle("write '" + dir.path() + "'", &out);
  REQUIRE_ORACLE(code, out);
  std::cout << "[ oracle   ] " << out.substr(0, out.find('\n')) << std::endl;
  const int64_t kFormulaRows = 2000;
  for (const char* codec : {"null", "deflate", "snappy"}) {
    SCOPED_TRACE(codec);
    std::string path = dir.File(std::string("py_") + codec + ".avro");
    std::vector<size_t> sizes;
    auto got = ReadAll(path, 333, &sizes);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->schema->ToString(),
              "id: int64 not null, ok: bool not null, small: int32, ratio: float, score: double not null, "
              "name: string, blob: binary not null, color: string not null, hash: binary not null, "
              "day: date not null, ts_ms: timestamp not null, ts_us: timestamp, price: decimal(12,2) not null, "
              "fprice: decimal(18,3) not null, uid: string not null, address.city: string not null, "
              "address.zip: int32, billing.city: string, billing.zip: int32");
    ASSERT_EQ(got->num_rows(), static_cast<size_t>(3 + kFormulaRows));
    for (size_t s : sizes) EXPECT_LE(s, 333u);
    CheckFixedRows(*got);
    for (int64_t i = 3; i < 3 + kFormulaRows; ++i) CheckFormulaRow(*got, static_cast<size_t>(i), i);
    auto summary = InspectAvro(FileSystem::Default(), path);
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->num_rows, 3 + kFormulaRows);
    EXPECT_EQ(summary->codec, codec);
  }
}

// ---- avro-c's own file writer -> gaggle, every codec avro-c has ----

TEST(AvroInterop, AvroCFileWriterEveryCodec) {
  ScratchDir dir;
  const char* json = R"({"type":"record","name":"T","fields":[
      {"name":"id","type":"long"},
      {"name":"label","type":"string"},
      {"name":"x","type":["null","double"]},
      {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B","C"]}},
      {"name":"inner","type":{"type":"record","name":"In","fields":[{"name":"flag","type":"boolean"}]}}]})";
  avro_schema_t schema;
  ASSERT_EQ(avro_schema_from_json_length(json, std::strlen(json), &schema), 0) << avro_strerror();
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  const int kRows = 3000;
  for (const char* codec : {"null", "deflate", "snappy", "lzma"}) {
    SCOPED_TRACE(codec);
    std::string path = dir.File(std::string("c_") + codec + ".avro");
    avro_file_writer_t w;
    ASSERT_EQ(avro_file_writer_create_with_codec(path.c_str(), schema, &w, codec, 4096), 0) << avro_strerror();
    avro_value_t rec;
    ASSERT_EQ(avro_generic_value_new(iface, &rec), 0);
    for (int i = 0; i < kRows; ++i) {
      avro_value_t f, branch;
      avro_value_get_by_index(&rec, 0, &f, nullptr);
      avro_value_set_long(&f, int64_t{i} * -977);
      avro_value_get_by_index(&rec, 1, &f, nullptr);
      std::string label = "label-" + std::to_string(i);
      avro_value_set_string_len(&f, label.c_str(), label.size() + 1);
      avro_value_get_by_index(&rec, 2, &f, nullptr);
      if (i % 3 == 0) {
        avro_value_set_branch(&f, 0, &branch);
        avro_value_set_null(&branch);
      } else {
        avro_value_set_branch(&f, 1, &branch);
        avro_value_set_double(&branch, i / 8.0);
      }
      avro_value_get_by_index(&rec, 3, &f, nullptr);
      avro_value_set_enum(&f, i % 3);
      avro_value_get_by_index(&rec, 4, &f, nullptr);
      avro_value_get_by_index(&f, 0, &branch, nullptr);
      avro_value_set_boolean(&branch, i % 2);
      ASSERT_EQ(avro_file_writer_append_value(w, &rec), 0) << avro_strerror();
    }
    avro_value_decref(&rec);
    ASSERT_EQ(avro_file_writer_close(w), 0);

    auto got = ReadAll(path, 1000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(
        got->schema->ToString(),
        "id: int64 not null, label: string not null, x: double, kind: string not null, inner.flag: bool not null");
    ASSERT_EQ(got->num_rows(), static_cast<size_t>(kRows));
    for (int i = 0; i < kRows; ++i) {
      size_t r = static_cast<size_t>(i);
      ASSERT_EQ(got->columns[0].Get<int64_t>(r), int64_t{i} * -977);
      ASSERT_EQ(got->columns[1].GetString(r), "label-" + std::to_string(i));
      ASSERT_EQ(got->columns[2].IsNull(r), i % 3 == 0);
      if (i % 3 != 0) {
        ASSERT_EQ(got->columns[2].Get<double>(r), i / 8.0);
      }
      const char* kinds[] = {"A", "B", "C"};
      ASSERT_EQ(got->columns[3].GetString(r), kinds[i % 3]);
      ASSERT_EQ(got->columns[4].Get<uint8_t>(r), i % 2);
    }
    auto summary = InspectAvro(FileSystem::Default(), path);
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->codec, codec);
    EXPECT_EQ(summary->num_rows, kRows);
  }
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
}

// ---- gaggle -> python3-avro ----

RecordBatch OurBatch() {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Int64(), false},
      {"flag", DataType::Bool(), true},
      {"i", DataType::Int32(), true},
      {"f", DataType::Float(), true},
      {"d", DataType::Double(), true},
      {"s", DataType::String(), true},
      {"bin", DataType::Binary(), true},
      {"day", DataType::Date(), true},
      {"ts", DataType::Timestamp(), true},
      {"dec", DataType::Decimal(18, 4), true},
      {"addr.city", DataType::String(), false},
      {"addr.geo.lat", DataType::Double(), true},
  });
  RecordBatch b = RecordBatch::Empty(schema);
  const double special[] = {
      std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), -0.0, 1e-310,
      0.1};
  for (int64_t i = 0; i < 3000; ++i) {
    bool null = i % 7 == 3;
    b.columns[0].Append<int64_t>(i == 0 ? std::numeric_limits<int64_t>::min() : i == 1 ? INT64_MAX : i * 31 - 5);
    null ? b.columns[1].AppendNull() : b.columns[1].Append<uint8_t>(i % 2);
    null ? b.columns[2].AppendNull() : b.columns[2].Append<int32_t>(i == 2 ? INT32_MIN : static_cast<int32_t>(i * 3));
    null ? b.columns[3].AppendNull() : b.columns[3].Append<float>(static_cast<float>(i) / 3.0f);
    null ? b.columns[4].AppendNull() : b.columns[4].Append<double>(i < 6 ? special[i] : static_cast<double>(i) / 7.0);
    null ? b.columns[5].AppendNull() : b.columns[5].AppendString(i % 5 == 0 ? "" : "é" + std::to_string(i) + "🚀");
    null ? b.columns[6].AppendNull() : b.columns[6].AppendString(std::string(static_cast<size_t>(i % 4), '\xfe'));
    null ? b.columns[7].AppendNull() : b.columns[7].Append<int32_t>(static_cast<int32_t>(i * 13 - 20000));
    null ? b.columns[8].AppendNull() : b.columns[8].Append<int64_t>(i * 1000000007LL - 5000000000000LL);
    null ? b.columns[9].AppendNull()
         : b.columns[9].Append<int64_t>(i == 4   ? -999999999999999999LL
                                        : i == 5 ? 999999999999999999LL
                                                 : i * 7 - 9);
    b.columns[10].AppendString("city" + std::to_string(i % 10));
    null ? b.columns[11].AppendNull() : b.columns[11].Append<double>(static_cast<double>(i) * 0.25);
  }
  return b;
}

// One oracle value against column c, row r of our batch.
void ExpectOracleValue(const nlohmann::json& v, const RecordBatch& b, size_t c, size_t r) {
  const Column& col = b.columns[c];
  const std::string& name = b.schema->field(c).name;
  SCOPED_TRACE(name + " row " + std::to_string(r));
  if (col.IsNull(r)) {
    EXPECT_TRUE(v.is_null()) << v.dump();
    return;
  }
  ASSERT_FALSE(v.is_null());
  switch (col.type().id) {
    case TypeId::kBool: EXPECT_EQ(v.get<bool>(), col.Get<uint8_t>(r) != 0); break;
    case TypeId::kInt32:
    case TypeId::kDate: EXPECT_EQ(v.get<int64_t>(), col.Get<int32_t>(r)); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: EXPECT_EQ(v.get<int64_t>(), col.Get<int64_t>(r)); break;
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double want = col.type().id == TypeId::kFloat ? col.Get<float>(r) : col.Get<double>(r);
      if (std::isnan(want)) {
        EXPECT_EQ(v, "nan");
      } else if (std::isinf(want)) {
        EXPECT_EQ(v, want > 0 ? "inf" : "-inf");
      } else {
        EXPECT_EQ(v.get<double>(), want);
        EXPECT_EQ(std::signbit(v.get<double>()), std::signbit(want));
      }
      break;
    }
    case TypeId::kString: EXPECT_EQ(v.get<std::string>(), col.GetString(r)); break;
    case TypeId::kBinary: EXPECT_EQ(v.get<std::string>(), Hex(col.GetString(r))); break;
    case TypeId::kDecimal:
      EXPECT_EQ(v["unscaled"].get<int64_t>(), col.Get<int64_t>(r));
      EXPECT_EQ(v["scale"].get<int>(), col.type().scale);
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: ADD_FAILURE() << "the Avro interop tests hold no nested columns"; break;
  }
}

TEST(AvroInterop, OurFilesReadByPython) {
  ScratchDir dir;
  RecordBatch b = OurBatch();
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy}) {
    SCOPED_TRACE(CompressionName(c));
    std::string path = dir.File(std::string("ours_") + CompressionName(c) + ".avro");
    ASSERT_TRUE(avro_test::WriteAll(path, b, c, 1000).ok());
    std::string out;
    int code = RunOracle("read '" + path + "'", &out);
    REQUIRE_ORACLE(code, out);
    std::vector<nlohmann::json> lines;
    size_t start = 0;
    while (start < out.size()) {
      size_t nl = out.find('\n', start);
      if (nl == std::string::npos) nl = out.size();
      lines.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
      start = nl + 1;
    }
    ASSERT_EQ(lines.size(), b.num_rows() + 1);
    EXPECT_EQ(lines[0]["codec"], c == Compression::kNone ? "null" : c == Compression::kGzip ? "deflate" : "snappy");
    EXPECT_EQ(lines[0]["schema"]["name"], "gaggle_record");
    for (size_t r = 0; r < b.num_rows(); ++r) {
      const nlohmann::json& rec = lines[r + 1];
      ASSERT_EQ(rec.size(), b.num_columns()) << rec.dump();
      for (size_t col = 0; col < b.num_columns(); ++col) {
        auto it = rec.find(b.schema->field(col).name);
        ASSERT_NE(it, rec.end()) << b.schema->field(col).name << " in " << rec.dump();
        ExpectOracleValue(*it, b, col, r);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

}  // namespace
}  // namespace gaggle
