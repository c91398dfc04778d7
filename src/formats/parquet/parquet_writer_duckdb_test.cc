// Independent check of the Parquet writer: files written with many types, nulls, special
// values, codecs, encodings and layouts are read back by DuckDB (tests/oracle/read_parquet.mjs,
// installed by `bash tests/oracle/setup.sh`) and compared value by value, plus DuckDB's view
// of the schema and of each chunk's statistics. A missing oracle is a failure, not a skip.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/source_dir_test_util.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_writer.h"

namespace gaggle {
namespace {

using nlohmann::json;

const std::string kOracleDir = gaggle::testing::SourceRoot() + "/tests/oracle";

struct OracleFile {
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type
  std::vector<json> schema;
  std::vector<json> chunks;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the oracle on every path at once (one DuckDB start-up).
Status RunOracle(const std::vector<std::string>& paths, std::map<std::string, OracleFile>* out) {
  if (!std::filesystem::exists(kOracleDir + "/node_modules/@duckdb/node-api")) {
    return Status::NotFound("DuckDB oracle missing in " + kOracleDir +
                            "/node_modules: run `bash tests/oracle/setup.sh`");
  }
  std::string cmd = "node " + ShellQuote(kOracleDir + "/read_parquet.mjs");
  for (const std::string& p : paths) cmd += " " + ShellQuote(p);
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return Status::IOError("cannot run node (needed by tests/oracle/setup.sh's oracle)");
  std::string output;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  int rc = ::pclose(pipe);
  if (rc != 0) {
    return Status::IOError("oracle failed (exit " + std::to_string(WEXITSTATUS(rc)) +
                           "; is node installed and `bash tests/oracle/setup.sh` run?): " + output.substr(0, 2000));
  }
  OracleFile* current = nullptr;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    json line = json::parse(output.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (line.is_discarded()) return Status::Corruption("oracle printed a line that is not JSON");
    std::string kind = line.value("kind", "");
    if (kind == "file") {
      current = &(*out)[line["path"].get<std::string>()];
      continue;
    }
    if (current == nullptr) return Status::Corruption("oracle output does not start with a file line");
    if (kind == "column") current->columns.emplace_back(line["name"], line["type"]);
    if (kind == "parquet_schema") current->schema.push_back(line);
    if (kind == "chunk") current->chunks.push_back(line);
    if (kind == "row") {
      std::vector<std::optional<std::string>> row;
      for (const json& v : line["values"])
        row.push_back(v.is_null() ? std::nullopt : std::optional(v.get<std::string>()));
      current->rows.push_back(std::move(row));
    }
  }
  return Status::OK();
}

std::shared_ptr<const Schema> OracleSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"i64", DataType::Int64(), true},
                                                     {"i32", DataType::Int32(), false},
                                                     {"d", DataType::Double(), true},
                                                     {"f", DataType::Float(), true},
                                                     {"s", DataType::String(), true},
                                                     {"key", DataType::String(), false},
                                                     {"bin", DataType::Binary(), true},
                                                     {"b", DataType::Bool(), true},
                                                     {"day", DataType::Date(), true},
                                                     {"ts", DataType::Timestamp(), true},
                                                     {"dec9", DataType::Decimal(9, 2), true},
                                                     {"dec18", DataType::Decimal(18, 4), true},
                                                     {"all_null", DataType::Int64(), true},
                                                     {"weird \"name\" ✓", DataType::Int32(), true}});
}

const std::vector<std::string> kDuckTypes = {
    "BIGINT",       "INTEGER",       "DOUBLE",  "FLOAT",  "VARCHAR",
    "VARCHAR",      "BLOB",          "BOOLEAN", "DATE",   "TIMESTAMP WITH TIME ZONE",
    "DECIMAL(9,2)", "DECIMAL(18,4)", "BIGINT",  "INTEGER"};

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Deterministic rows with the edge cases sprinkled in: extremes, NaN/inf/-0.0, empty and
// unicode strings, zero bytes, pre-1970 dates and timestamps, decimal bounds, nulls.
RecordBatch OracleBatch(std::shared_ptr<const Schema> schema, int64_t first, int64_t rows) {
  RecordBatch b = RecordBatch::Empty(schema);
  const double dnan = std::numeric_limits<double>::quiet_NaN(), dinf = std::numeric_limits<double>::infinity();
  const float fnan = std::numeric_limits<float>::quiet_NaN(), finf = std::numeric_limits<float>::infinity();
  const int64_t i64s[] = {INT64_MIN, INT64_MAX, 0, -1};
  const int32_t i32s[] = {INT32_MIN, INT32_MAX, 0, -1};
  const double ds[] = {dnan, dinf, -dinf, -0.0, 0.0, 5e-324, std::numeric_limits<double>::max(), 0.1};
  const float fs[] = {fnan, finf, -finf, -0.0f, 0.0f, 1e-45f, std::numeric_limits<float>::max(), 0.1f};
  const char* strings[] = {"", "héllo wörld ✓ 日本語 🦆", "a", "b", "a\tb\nc", "ZZZ", "\x7f", "é"};
  const int32_t days[] = {-719162, 0, 2932896, -1, 19723};
  const int64_t stamps[] = {-62135596800000000LL, 0, 253402300799999999LL, -1, 1700000000123456LL};
  for (int64_t i = first; i < first + rows; ++i) {
    uint64_t r = Mix(static_cast<uint64_t>(i));  // per row, so batch boundaries do not change the data
    int k = static_cast<int>(i % 50);
    auto& c = b.columns;
    if (i % 11 == 3)
      c[0].AppendNull();
    else
      c[0].Append<int64_t>(k < 4 ? i64s[k] : static_cast<int64_t>(r % 100000) - 50000);
    c[1].Append<int32_t>(k < 4 ? i32s[k] : static_cast<int32_t>(r % 2001) - 1000);
    if (i % 13 == 5)
      c[2].AppendNull();
    else
      c[2].Append<double>(k < 8 ? ds[k] : static_cast<double>(r % 1000) / 7.0 - 50);
    if (i % 13 == 6)
      c[3].AppendNull();
    else
      c[3].Append<float>(k < 8 ? fs[k] : static_cast<float>(r % 1000) / 8.0f);
    if (i % 9 == 0) {
      c[4].AppendNull();
    } else if (k < 8) {
      c[4].AppendString(strings[k]);
    } else if (k == 8) {
      c[4].AppendString(std::string(300, static_cast<char>('a' + i % 26)) + std::to_string(i));
    } else {
      c[4].AppendString("cat-" + std::to_string(r % 20));
    }
    c[5].AppendString("k" + std::to_string(i % 5));
    if (i % 7 == 2)
      c[6].AppendNull();
    else
      c[6].AppendString(std::string("\0\xff", 2) + std::string(i % 4, '\x80'));
    if (i % 3 == 1)
      c[7].AppendNull();
    else
      c[7].Append<uint8_t>(r & 1);
    if (i % 17 == 4)
      c[8].AppendNull();
    else
      c[8].Append<int32_t>(k < 5 ? days[k] : static_cast<int32_t>(r % 40000) - 10000);
    if (i % 19 == 4)
      c[9].AppendNull();
    else
      c[9].Append<int64_t>(k < 5 ? stamps[k] : static_cast<int64_t>(r % 4000000000000000ULL));
    if (i % 8 == 7)
      c[10].AppendNull();
    else
      c[10].Append<int64_t>(k == 0 ? 999999999 : k == 1 ? -999999999 : static_cast<int64_t>(r % 20001) - 10000);
    if (i % 8 == 6)
      c[11].AppendNull();
    else
      c[11].Append<int64_t>(k == 0   ? 999999999999999999LL
                            : k == 1 ? -999999999999999999LL
                                     : static_cast<int64_t>(r % 1000000007) - 500000000);
    c[12].AppendNull();
    if (i % 2 == 0)
      c[13].AppendNull();
    else
      c[13].Append<int32_t>(static_cast<int32_t>(i));
  }
  return b;
}

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    out += kDigits[ch >> 4];
    out += kDigits[ch & 15];
  }
  return out;
}

std::string DecimalText(int64_t unscaled, int scale) {
  bool negative = unscaled < 0;
  uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  std::string digits = std::to_string(magnitude);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) digits.insert(0, static_cast<size_t>(scale + 1) - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return (negative ? "-" : "") + digits;
}

// Floating values compare by value and sign (so -0.0 != 0.0), NaN equal to NaN.
template <typename T>
bool SameFloat(T expected, const std::string& duck) {
  T got;
  if (duck == "nan" || duck == "-nan")
    got = std::numeric_limits<T>::quiet_NaN();
  else if (duck == "inf")
    got = std::numeric_limits<T>::infinity();
  else if (duck == "-inf")
    got = -std::numeric_limits<T>::infinity();
  else
    got = static_cast<T>(std::is_same_v<T, float> ? std::strtof(duck.c_str(), nullptr)
                                                  : std::strtod(duck.c_str(), nullptr));
  if (std::isnan(expected)) return std::isnan(got);
  return expected == got && std::signbit(expected) == std::signbit(got);
}

// Compares one value; returns "" when equal, else a description.
std::string CompareValue(const Column& col, size_t row, const std::optional<std::string>& duck) {
  if (col.IsNull(row)) return duck.has_value() ? "expected NULL, DuckDB has '" + *duck + "'" : "";
  if (!duck.has_value()) return "expected " + col.ValueToString(row) + ", DuckDB has NULL";
  std::string expected;
  switch (col.type().id) {
    case TypeId::kBool: expected = col.Get<uint8_t>(row) ? "true" : "false"; break;
    case TypeId::kInt32:
    case TypeId::kDate: expected = std::to_string(col.Get<int32_t>(row)); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: expected = std::to_string(col.Get<int64_t>(row)); break;
    case TypeId::kFloat:
      return SameFloat(col.Get<float>(row), *duck)
                 ? ""
                 : "expected float " + col.ValueToString(row) + ", DuckDB has " + *duck;
    case TypeId::kDouble:
      return SameFloat(col.Get<double>(row), *duck)
                 ? ""
                 : "expected double " + col.ValueToString(row) + ", DuckDB has " + *duck;
    case TypeId::kString: expected = std::string(col.GetString(row)); break;
    case TypeId::kBinary: expected = Hex(col.GetString(row)); break;
    case TypeId::kDecimal: expected = DecimalText(col.Get<int64_t>(row), col.type().scale); break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return "nested values are checked by parquet_nested_duckdb_test.cc";
  }
  return expected == *duck ? "" : "expected '" + expected + "', DuckDB has '" + *duck + "'";
}

struct DuckdbCase {
  std::string name;
  WriteOptions options;
  std::vector<int64_t> batch_sizes;
};

std::vector<DuckdbCase> Cases() {
  std::vector<DuckdbCase> cases;
  for (Compression codec : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    for (bool dictionary : {true, false}) {
      for (bool small : {false, true}) {
        DuckdbCase c;
        c.name = std::string(CompressionName(codec)) + (dictionary ? "_dict" : "_plain") + (small ? "_small" : "_big");
        c.options.compression = codec;
        c.options.dictionary = dictionary;
        if (small) {
          c.options.row_group_rows = 97;
          c.options.page_bytes = 256;
        }
        c.batch_sizes = small ? std::vector<int64_t>{1, 500, 96, 1403} : std::vector<int64_t>{2000};
        cases.push_back(c);
      }
    }
  }
  DuckdbCase fallback;
  fallback.name = "dictionary_fallback";
  fallback.options.dictionary_max_entries = 40;
  fallback.options.dictionary_max_bytes = 3000;
  fallback.options.row_group_rows = 1500;
  fallback.options.page_bytes = 128;  // dictionary pages are written before the dictionary overflows
  fallback.batch_sizes = {3000};
  cases.push_back(fallback);
  DuckdbCase first_page = fallback;
  first_page.name = "dictionary_fallback_in_first_page";
  first_page.options.page_bytes = 2048;  // the dictionary overflows while the first page fills
  cases.push_back(first_page);
  DuckdbCase levels;
  levels.name = "zstd_level_19";
  levels.options.compression_level = 19;
  levels.batch_sizes = {700, 700};
  cases.push_back(levels);
  return cases;
}

TEST(ParquetWriterDuckDB, DuckDBReadsEveryValueBack) {
  auto dir = std::filesystem::temp_directory_path() / ("gaggle-pqw-duck-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() { std::filesystem::remove_all(path); }
  } cleanup{dir};  // also when an ASSERT returns early
  auto schema = OracleSchema();
  std::vector<DuckdbCase> cases = Cases();
  std::vector<std::string> paths;
  std::vector<RecordBatch> expected;  // all rows of each case in one batch
  for (const DuckdbCase& c : cases) {
    std::string path = (dir / (c.name + ".parquet")).string();
    auto writer = OpenParquetWriter(FileSystem::Default(), path, schema, c.options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    int64_t first = 0;
    for (int64_t n : c.batch_sizes) {
      ASSERT_TRUE((*writer)->Write(OracleBatch(schema, first, n)).ok()) << c.name;
      first += n;
    }
    ASSERT_TRUE((*writer)->Finish().ok()) << c.name;
    paths.push_back(path);
    expected.push_back(OracleBatch(schema, 0, first));  // same generator, same rows
  }
  std::map<std::string, OracleFile> duck;
  Status st = RunOracle(paths, &duck);
  ASSERT_TRUE(st.ok()) << st.ToString();

  for (size_t ci = 0; ci < cases.size(); ++ci) {
    SCOPED_TRACE(cases[ci].name);
    const OracleFile& f = duck[paths[ci]];
    const RecordBatch& want = expected[ci];
    ASSERT_EQ(f.columns.size(), schema->num_fields());
    for (size_t c = 0; c < f.columns.size(); ++c) {
      EXPECT_EQ(f.columns[c].first, schema->field(c).name);
      EXPECT_EQ(f.columns[c].second, kDuckTypes[c]) << schema->field(c).name;
    }
    ASSERT_EQ(f.rows.size(), want.num_rows());
    int mismatches = 0;
    for (size_t r = 0; r < f.rows.size() && mismatches < 20; ++r) {
      for (size_t c = 0; c < want.num_columns(); ++c) {
        std::string diff = CompareValue(want.columns[c], r, f.rows[r][c]);
        if (!diff.empty()) {
          ADD_FAILURE() << "row " << r << " column " << schema->field(c).name << ": " << diff;
          ++mismatches;
        }
      }
    }
    // DuckDB's reading of the chunk statistics: null counts, and min/max of i64 and s
    // recomputed here per row group from the input.
    int64_t rg_rows = cases[ci].options.row_group_rows;
    size_t expected_groups = (want.num_rows() + static_cast<size_t>(rg_rows) - 1) / static_cast<size_t>(rg_rows);
    ASSERT_EQ(f.chunks.size(), expected_groups * schema->num_fields());
    bool saw_dictionary = false;
    for (const json& chunk : f.chunks) {
      size_t group = std::stoul(chunk["row_group_id"].get<std::string>());
      size_t column = std::stoul(chunk["column_id"].get<std::string>());
      size_t begin = group * static_cast<size_t>(rg_rows);
      size_t end = std::min(want.num_rows(), begin + static_cast<size_t>(rg_rows));
      EXPECT_EQ(chunk["row_group_num_rows"].get<std::string>(), std::to_string(end - begin));
      const Column& col = want.columns[column];
      size_t nulls = 0;
      for (size_t r = begin; r < end; ++r) nulls += col.IsNull(r);
      EXPECT_EQ(chunk["stats_null_count"].get<std::string>(), std::to_string(nulls)) << "column " << column;
      if (column == 0 || column == 4) {
        std::optional<std::string> lo, hi;
        std::optional<int64_t> ilo, ihi;
        for (size_t r = begin; r < end; ++r) {
          if (col.IsNull(r)) continue;
          if (column == 0) {
            int64_t v = col.Get<int64_t>(r);
            ilo = ilo ? std::min(*ilo, v) : v;
            ihi = ihi ? std::max(*ihi, v) : v;
          } else {
            std::string v(col.GetString(r));
            if (!lo || v < *lo) lo = v;
            if (!hi || v > *hi) hi = v;
          }
        }
        if (column == 0 && ilo) {
          lo = std::to_string(*ilo);
          hi = std::to_string(*ihi);
        }
        if (lo && lo->size() <= 4096 && hi->size() <= 4096) {
          EXPECT_EQ(chunk["stats_min_value"], *lo) << "row group " << group << " column " << column;
          EXPECT_EQ(chunk["stats_max_value"], *hi) << "row group " << group << " column " << column;
        }
      }
      if (column == 12) {
        EXPECT_TRUE(chunk["stats_min_value"].is_null());
      }
      std::string encodings = chunk["encodings"].get<std::string>();
      if (column == 5 && encodings.find("RLE_DICTIONARY") != std::string::npos) saw_dictionary = true;
    }
    EXPECT_EQ(saw_dictionary, cases[ci].options.dictionary);
    if (cases[ci].name.rfind("dictionary_fallback", 0) == 0) {
      // The point of these cases: string chunks whose dictionary overflows. After dictionary
      // pages, the chunk goes on PLAIN (both encodings); within the first page, the chunk
      // is PLAIN from its start and has no dictionary page.
      const bool later = cases[ci].name == "dictionary_fallback";
      Result<std::string> bytes = ReadFileToString(FileSystem::Default(), paths[ci]);
      ASSERT_TRUE(bytes.ok());
      uint32_t len = 0;
      std::memcpy(&len, bytes->data() + bytes->size() - 8, 4);
      parquet::FileMetaData meta;
      ASSERT_TRUE(parquet::Parse(std::string_view(*bytes).substr(bytes->size() - 8 - len, len), &meta).ok());
      bool mixed = false, plain_only = true;
      for (const parquet::RowGroup& g : meta.row_groups) {
        std::set<parquet::Encoding> data_encodings;
        for (const auto& es : g.columns[4].meta_data->encoding_stats) {
          if (es.page_type == parquet::PageType::kDataPage) data_encodings.insert(es.encoding);
        }
        mixed = mixed || data_encodings.size() == 2;
        plain_only = plain_only && data_encodings == std::set<parquet::Encoding>{parquet::Encoding::kPlain} &&
                     !g.columns[4].meta_data->dictionary_page_offset.has_value();
      }
      if (later) {
        EXPECT_TRUE(mixed) << "no chunk fell back from dictionary to PLAIN";
      } else {
        EXPECT_TRUE(plain_only) << "a chunk whose dictionary overflowed in its first page kept a dictionary";
      }
    }
  }
}

}  // namespace
}  // namespace gaggle
