// Independent check of the Parquet reader: DuckDB (tests/oracle/write_parquet_duckdb.mjs,
// installed by `bash tests/oracle/setup.sh`) writes files with every type gaggle maps, all
// codecs, data page v1 and v2 (with their DELTA_* and BYTE_STREAM_SPLIT encodings), dictionary
// encoding, many row groups, all-null and empty results, and prints its own reading of every
// value; our reader must produce exactly the same values, row by row. Files gaggle cannot
// represent must be refused with Unsupported naming the file and the column.
// A missing oracle is a failure, not a skip.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "columnar/value_format.h"
#include "common/source_dir_test_util.h"
#include "formats/parquet/parquet_footer.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"

namespace gaggle {
namespace {

using nlohmann::json;

const std::string kOracleDir = gaggle::testing::SourceRoot() + "/tests/oracle";

struct OracleCase {
  std::string name;
  std::string path;
  std::string expect;  // "rows" or "error"
  std::string code;
  std::string mention;
  int row_groups = 0;
  std::vector<std::string> encodings;
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type
  std::vector<std::vector<std::optional<std::string>>> rows;
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the writer oracle once (one DuckDB start-up) and parses what it printed.
Status RunOracle(const std::string& outdir, std::vector<OracleCase>* cases) {
  if (!std::filesystem::exists(kOracleDir + "/node_modules/@duckdb/node-api")) {
    return Status::NotFound("DuckDB oracle missing in " + kOracleDir +
                            "/node_modules: run `bash tests/oracle/setup.sh`");
  }
  std::string cmd = "node " + ShellQuote(kOracleDir + "/write_parquet_duckdb.mjs") + " " + ShellQuote(outdir) + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return Status::IOError("cannot run node for the DuckDB oracle");
  std::string output;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  int rc = ::pclose(pipe);
  if (rc != 0) {
    return Status::IOError("DuckDB oracle failed (exit " + std::to_string(WEXITSTATUS(rc)) +
                           "; is node installed and `bash tests/oracle/setup.sh` run?): " + output.substr(0, 2000));
  }
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    json line = json::parse(output.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (line.is_discarded()) return Status::Corruption("oracle printed a line that is not JSON");
    std::string kind = line.value("kind", "");
    if (kind == "file") {
      OracleCase& c = cases->emplace_back();
      c.name = line["name"];
      c.path = line["path"];
      c.expect = line["expect"];
      if (line["code"].is_string()) c.code = line["code"];
      if (line["mention"].is_string()) c.mention = line["mention"];
      continue;
    }
    if (cases->empty()) return Status::Corruption("oracle output does not start with a file line");
    OracleCase& c = cases->back();
    if (kind == "meta") {
      c.row_groups = line["row_groups"];
      for (const json& e : line["encodings"]) c.encodings.push_back(e);
    } else if (kind == "column") {
      c.columns.emplace_back(line["name"], line["type"]);
    } else if (kind == "row") {
      std::vector<std::optional<std::string>> row;
      for (const json& v : line["values"])
        row.push_back(v.is_null() ? std::nullopt : std::optional(v.get<std::string>()));
      c.rows.push_back(std::move(row));
    }
  }
  return Status::OK();
}

// The gaggle type DuckDB's type must map to.
std::string ExpectedType(const std::string& duck) {
  static const std::map<std::string, std::string> kMap = {
      {"BOOLEAN", "bool"},
      {"TINYINT", "int32"},
      {"SMALLINT", "int32"},
      {"INTEGER", "int32"},
      {"UTINYINT", "int32"},
      {"USMALLINT", "int32"},
      {"BIGINT", "int64"},
      {"UINTEGER", "int64"},
      {"UBIGINT", "int64"},
      {"FLOAT", "float"},
      {"DOUBLE", "double"},
      {"VARCHAR", "string"},
      {"BLOB", "binary"},
      {"DATE", "date"},
      {"TIMESTAMP", "timestamp_ntz"},  // DuckDB's TIMESTAMP is naive (isAdjustedToUTC=false)
      {"TIMESTAMP_NS", "timestamp_ntz"},
      {"TIMESTAMP_MS", "timestamp_ntz"},
      {"TIMESTAMP WITH TIME ZONE", "timestamp"},
  };
  auto it = kMap.find(duck);
  if (it != kMap.end()) return it->second;
  if (duck.rfind("DECIMAL", 0) == 0) return "decimal" + duck.substr(7);
  return "?" + duck;
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

template <typename U>
std::string Bits(U bits) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), sizeof(U) == 4 ? "%08llx" : "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

// Our value in the oracle's rendering.
std::optional<std::string> Render(const Column& c, size_t i) {
  if (c.IsNull(i)) return std::nullopt;
  switch (c.type().id) {
    case TypeId::kBool: return c.Get<uint8_t>(i) ? "true" : "false";
    case TypeId::kInt32:
    case TypeId::kDate: return std::to_string(c.Get<int32_t>(i));
    case TypeId::kInt64:
    case TypeId::kTimestamp: return std::to_string(c.Get<int64_t>(i));
    case TypeId::kDecimal:
      if (c.type().is_wide_decimal()) return FormatDecimal128(c.Get<Int128>(i), 0);
      return std::to_string(c.Get<int64_t>(i));
    case TypeId::kFloat: {
      float f = c.Get<float>(i);
      if (std::isnan(f)) return "nan";
      uint32_t u;
      std::memcpy(&u, &f, 4);
      return Bits(u);
    }
    case TypeId::kDouble: {
      double d = c.Get<double>(i);
      if (std::isnan(d)) return "nan";
      uint64_t u;
      std::memcpy(&u, &d, 8);
      return Bits(u);
    }
    case TypeId::kString: return std::string(c.GetString(i));
    case TypeId::kBinary: return Hex(c.GetString(i));
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return c.ValueToString(i);  // nested files are checked by parquet_nested_duckdb_test.cc
  }
  return "?";
}

class ParquetReaderDuckDb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new std::string(std::filesystem::temp_directory_path() / ("gaggle-pqr-duckdb-" + std::to_string(::getpid())));
    std::filesystem::create_directories(*dir_);
    cases_ = new std::vector<OracleCase>();
    *oracle_status_ = RunOracle(*dir_, cases_);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete cases_;
  }
  void SetUp() override {
    ASSERT_TRUE(oracle_status_->ok()) << oracle_status_->ToString();
    ASSERT_GT(cases_->size(), 20u);
  }

  static std::string* dir_;
  static std::vector<OracleCase>* cases_;
  static Status* oracle_status_;
};

std::string* ParquetReaderDuckDb::dir_ = nullptr;
std::vector<OracleCase>* ParquetReaderDuckDb::cases_ = nullptr;
Status* ParquetReaderDuckDb::oracle_status_ = new Status();

// Reads the whole file with `batch_rows` and compares every value with DuckDB's.
void ExpectSameRows(const OracleCase& c, size_t batch_rows) {
  SCOPED_TRACE(c.name + " batch_rows=" + std::to_string(batch_rows));
  ReadOptions options;
  options.batch_rows = batch_rows;
  auto reader = OpenParquetReader(FileSystem::Default(), c.path, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& schema = *(*reader)->schema();
  ASSERT_EQ(schema.num_fields(), c.columns.size());
  for (size_t i = 0; i < c.columns.size(); ++i) {
    EXPECT_EQ(schema.field(i).name, c.columns[i].first);
    EXPECT_EQ(schema.field(i).type.ToString(), ExpectedType(c.columns[i].second)) << c.columns[i].first;
  }
  RecordBatch batch;
  size_t row = 0;
  size_t mismatches = 0;
  while (true) {
    auto more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    ASSERT_TRUE(batch.Validate().ok());
    ASSERT_LE(batch.num_rows(), batch_rows);
    ASSERT_GT(batch.num_rows(), 0u);
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      ASSERT_LT(row, c.rows.size()) << "more rows than DuckDB";
      for (size_t col = 0; col < batch.num_columns(); ++col) {
        std::optional<std::string> ours = Render(batch.columns[col], r);
        if (ours != c.rows[row][col] && ++mismatches <= 5) {
          ADD_FAILURE() << "row " << row << " column " << c.columns[col].first << ": ours " << ours.value_or("NULL")
                        << ", DuckDB " << c.rows[row][col].value_or("NULL");
        }
      }
    }
  }
  EXPECT_EQ(row, c.rows.size());
  EXPECT_EQ(mismatches, 0u);
}

TEST_F(ParquetReaderDuckDb, EveryValueMatchesDuckDb) {
  size_t checked = 0;
  for (const OracleCase& c : *cases_) {
    if (c.expect != "rows") continue;
    ExpectSameRows(c, 1000);
    ++checked;
  }
  EXPECT_GE(checked, 15u);
}

TEST_F(ParquetReaderDuckDb, BatchSizesDoNotChangeValues) {
  for (const OracleCase& c : *cases_) {
    if (c.name == "many_row_groups_V2" || c.name == "all_types_V2_zstd") ExpectSameRows(c, 777);
    if (c.name == "many_row_groups_V1" || c.name == "all_types_V1_snappy") ExpectSameRows(c, 65536);
    if (c.name == "one_row" || c.name == "dict_heavy_V2" || c.name == "long_strings_V2") ExpectSameRows(c, 1);
  }
}

// DuckDB's PARQUET_VERSION v2 brings the v2 encodings but still writes DATA_PAGE (v1) headers;
// data page v2 is covered by parquet_reader_test.cc's hand-made pages.
TEST_F(ParquetReaderDuckDb, CoversTheEncodingsDuckDbWrites) {
  std::set<std::string> encodings;
  bool many_groups = false;
  for (const OracleCase& c : *cases_) {
    encodings.insert(c.encodings.begin(), c.encodings.end());
    if (c.expect == "rows" && c.row_groups > 5) many_groups = true;
  }
  for (const char* e : {"PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY",
                        "BYTE_STREAM_SPLIT"}) {
    EXPECT_TRUE(encodings.count(e)) << e;
  }
  EXPECT_TRUE(many_groups);
}

TEST_F(ParquetReaderDuckDb, RefusesWhatGaggleCannotRepresent) {
  size_t checked = 0;
  for (const OracleCase& c : *cases_) {
    if (c.expect != "error") continue;
    SCOPED_TRACE(c.name);
    ++checked;
    Status st;
    auto reader = OpenParquetReader(FileSystem::Default(), c.path, ReadOptions{});
    if (!reader.ok()) {
      st = reader.status();
    } else {
      RecordBatch batch;
      while (st.ok()) {
        auto more = (*reader)->Next(&batch);
        if (!more.ok())
          st = more.status();
        else if (!*more)
          break;
      }
    }
    ASSERT_FALSE(st.ok()) << "read without error";
    EXPECT_EQ(StatusCodeName(st.code()), c.code) << st.ToString();
    EXPECT_NE(st.message().find(c.path), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("'" + c.mention + "'"), std::string::npos) << st.ToString();
  }
  // Nested columns, TIME, UUID and wide decimals all read now: an unsigned value past int64 is what remains.
  EXPECT_EQ(checked, 1u);
}

TEST_F(ParquetReaderDuckDb, InspectAgreesWithTheFile) {
  for (const OracleCase& c : *cases_) {
    if (c.name != "all_types_V1_zstd") continue;
    auto s = InspectParquet(FileSystem::Default(), c.path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->num_rows, static_cast<int64_t>(c.rows.size()));
    EXPECT_EQ(s->codec, "ZSTD");
    EXPECT_EQ(s->created_by.rfind("DuckDB", 0), 0u) << s->created_by;
    ASSERT_EQ(static_cast<int>(s->row_groups.size()), c.row_groups);
    EXPECT_EQ(s->schema.num_fields(), c.columns.size());
    // Statistics against the values DuckDB read: id is 0..999 in the first row group; b's nulls.
    const RowGroupSummary& g = s->row_groups[0];
    int64_t first_rows = g.num_rows;
    ASSERT_EQ(g.columns[0].column, "id");
    EXPECT_EQ(g.columns[0].physical_type, "INT64");
    EXPECT_EQ(g.columns[0].min, "0");
    EXPECT_EQ(g.columns[0].max, std::to_string(first_rows - 1));
    int64_t b_nulls = 0;
    for (int64_t r = 0; r < first_rows; ++r) b_nulls += !c.rows[r][1].has_value();
    EXPECT_EQ(g.columns[1].null_count, b_nulls);
    for (const ColumnChunkSummary& cs : g.columns) {
      EXPECT_FALSE(cs.encodings.empty()) << cs.column;
      EXPECT_EQ(cs.codec, "ZSTD");
      EXPECT_GT(cs.compressed_bytes, 0);
    }
    // Timestamps and decimals are rendered with their gaggle type.
    int ts = s->schema.FindField("ts");
    int dec = s->schema.FindField("dec9");
    ASSERT_GE(ts, 0);
    ASSERT_GE(dec, 0);
    ASSERT_TRUE(g.columns[ts].min.has_value());
    EXPECT_NE(g.columns[ts].min->find('T'), std::string::npos) << *g.columns[ts].min;
    ASSERT_TRUE(g.columns[dec].max.has_value());
    EXPECT_NE(g.columns[dec].max->find('.'), std::string::npos) << *g.columns[dec].max;
    return;
  }
  FAIL() << "all_types_V1_zstd missing";
}

}  // namespace
}  // namespace gaggle
