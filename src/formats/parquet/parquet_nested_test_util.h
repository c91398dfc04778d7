// Test helpers for nested Parquet: the nested shapes every test covers, random nested types and
// values (the round-trip property tests), a scratch directory, write/read helpers, and JSON
// comparison with DuckDB's to_json (tests/oracle/nested_parquet.mjs).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "columnar/record_batch.h"
#include "columnar/value_json.h"
#include "common/source_dir_test_util.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace gaggle::nested_test {

class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("gaggle_nested_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// The nested shapes the issue names, plus a few more: "name: type" spellings.
inline const std::vector<std::pair<std::string, std::string>>& NamedShapes() {
  static const std::vector<std::pair<std::string, std::string>> shapes = {
      {"list_int", "list<int64>"},
      {"list_string", "list<string>"},
      {"list_struct", "list<struct<id:int32,name:string,score:double>>"},
      {"struct_list", "struct<tags:list<string>,n:int64 not null>"},
      {"map_string", "map<string,string>"},
      {"map_struct", "map<string,struct<x:int64,y:bool>>"},
      {"list_list", "list<list<int32>>"},
      {"deep", "struct<a:list<map<string,list<struct<b:int64,c:list<date>>>>>>"},
      {"required_elements", "list<int64 not null>"},
      {"decimals", "struct<d9:decimal(9,2),d18:decimal(18,4)>"},
  };
  return shapes;
}

inline std::shared_ptr<const Schema> ShapesSchema() {
  std::vector<Field> fields{{"id", DataType::Int64(), false}};
  for (const auto& [name, spelling] : NamedShapes()) fields.push_back({name, *ParseDataType(spelling), true});
  return std::make_shared<Schema>(std::move(fields));
}

// Random values for a column of any type. Null where nullable with probability 1/5; lists of 0..4
// elements (empty lists included); map keys unique within a map; strings from a small pool (so
// dictionaries are used) with unicode and quotes.
class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  void Append(Column* c, bool nullable) {
    if (nullable && Pick(5) == 0) {
      c->AppendNull();
      return;
    }
    const DataType& t = c->type();
    switch (t.id) {
      case TypeId::kBool: c->Append<uint8_t>(static_cast<uint8_t>(Pick(2))); break;
      case TypeId::kInt32:
      case TypeId::kDate: c->Append<int32_t>(static_cast<int32_t>(Pick(40000)) - 20000); break;
      case TypeId::kInt64:
      case TypeId::kTimestamp: c->Append<int64_t>(static_cast<int64_t>(rng_()) >> Pick(60)); break;
      case TypeId::kFloat: c->Append<float>(static_cast<float>(Pick(100000)) / 8.0f - 1000.0f); break;
      case TypeId::kDouble: c->Append<double>(static_cast<double>(static_cast<int64_t>(rng_() >> 20)) / 1024.0); break;
      case TypeId::kString: {
        static const char* kPool[] = {"", "a", "héllo", "x\"y", "tab\tnew\nline", "long-string-value", "日本"};
        std::string s = kPool[Pick(7)];
        if (Pick(3) == 0) s += std::to_string(Pick(1000));
        c->AppendString(s);
        break;
      }
      case TypeId::kBinary: c->AppendString(std::string(Pick(4), static_cast<char>(Pick(256)))); break;
      case TypeId::kDecimal: {
        int64_t limit = 1;
        for (int i = 0; i < std::min(t.precision, 17); ++i) limit *= 10;
        c->Append<int64_t>(static_cast<int64_t>(rng_() % static_cast<uint64_t>(2 * limit - 1)) - (limit - 1));
        break;
      }
      case TypeId::kStruct:
        for (size_t f = 0; f < t.num_children(); ++f) Append(&c->child(f), t.child(f).nullable);
        c->CommitStruct();
        break;
      case TypeId::kList: {
        const size_t n = Pick(5);
        for (size_t k = 0; k < n; ++k) Append(&c->child(0), t.list_element().nullable);
        c->CommitList();
        break;
      }
      case TypeId::kMap: {
        const size_t n = Pick(4);
        Column& entries = c->child(0);
        for (size_t k = 0; k < n; ++k) {
          AppendKey(&entries.child(0), k);
          Append(&entries.child(1), t.map_value().nullable);
          entries.CommitStruct();
        }
        c->CommitList();
        break;
      }
    }
  }

  // A random nested type of at most `depth` levels over leaf types DuckDB renders exactly.
  DataType Type(int depth) {
    static const std::vector<DataType> kLeaves = {DataType::Int64(),       DataType::Int32(),       DataType::String(),
                                                  DataType::Double(),      DataType::Bool(),        DataType::Date(),
                                                  DataType::Decimal(9, 2), DataType::Decimal(18, 3)};
    if (depth == 0 || Pick(4) == 0) return kLeaves[Pick(kLeaves.size())];
    switch (Pick(3)) {
      case 0: {
        std::vector<Field> fields;
        const size_t n = 1 + Pick(3);
        for (size_t i = 0; i < n; ++i) fields.push_back({"f" + std::to_string(i), Type(depth - 1), Pick(4) != 0});
        return DataType::Struct(std::move(fields));
      }
      case 1: return DataType::List(Type(depth - 1), Pick(4) != 0);
      default: return DataType::Map(Pick(2) ? DataType::String() : DataType::Int64(), Type(depth - 1), Pick(4) != 0);
    }
  }

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

 private:
  void AppendKey(Column* keys, size_t k) {
    if (keys->type().id == TypeId::kString) {
      keys->AppendString("k" + std::to_string(k));
    } else if (keys->type().id == TypeId::kInt64) {
      keys->Append<int64_t>(static_cast<int64_t>(k) * 7 - 3);
    } else {
      Append(keys, false);  // other key types are not generated by Type()
    }
  }

  std::mt19937_64 rng_;
};

inline RecordBatch RandomBatch(const std::shared_ptr<const Schema>& schema, size_t rows, uint64_t seed,
                               int64_t first_id = 0) {
  RandomValues random(seed);
  RecordBatch b = RecordBatch::Empty(schema);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      if (schema->field(c).name == "id") {
        b.columns[c].Append<int64_t>(first_id + static_cast<int64_t>(r));
      } else {
        random.Append(&b.columns[c], schema->field(c).nullable);
      }
    }
  }
  return b;
}

inline Status WriteFile(const std::string& path, const std::vector<RecordBatch>& batches, const WriteOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenParquetWriter(FileSystem::Default(), path, batches.at(0).schema, options));
  for (const RecordBatch& b : batches) GAGGLE_RETURN_IF_ERROR(writer->Write(b));
  return writer->Finish();
}

// Every row of the file, concatenated into one batch.
inline Result<RecordBatch> ReadFile(const std::string& path, size_t batch_rows = 64 * 1024) {
  ReadOptions options;
  options.batch_rows = batch_rows;
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenParquetReader(FileSystem::Default(), path, options));
  RecordBatch all = RecordBatch::Empty(reader->schema());
  RecordBatch b;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&b));
    if (!more) break;
    GAGGLE_RETURN_IF_ERROR(b.Validate());
    if (b.num_rows() > batch_rows) return Status::Internal("batch larger than batch_rows");
    for (size_t c = 0; c < b.columns.size(); ++c) all.columns[c].AppendRange(b.columns[c], 0, b.num_rows());
  }
  return all;
}

// Row `r` as one JSON object {"column": value, ...} (value_json.h).
inline std::string RowJson(const RecordBatch& b, size_t r) {
  std::string out = "{";
  for (size_t c = 0; c < b.columns.size(); ++c) {
    if (c) out += ",";
    AppendJsonQuoted(b.schema->field(c).name, &out);
    out += ":";
    AppendValueJson(b.columns[c], r, &out);
  }
  return out + "}";
}

// A timestamp as DuckDB or gaggle prints it ("2024-01-02 03:04:05.5", "2024-01-02T03:04:05.500000Z")
// in one spelling; other strings unchanged.
inline std::string NormalTimestamp(std::string s) {
  static const std::regex kTimestamp(R"(^(-?\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d*[1-9])?0*(Z|\+00(:00)?)?$)");
  std::smatch m;
  if (!std::regex_match(s, m, kTimestamp)) return s;
  return m[1].str() + " " + m[2].str() + m[3].str();
}

// Equal as values: numbers by value (also a decimal string against a number, and floats at float
// precision), strings exactly (timestamps in either printer's spelling), arrays and objects element
// by element (objects by key).
inline bool JsonEquivalent(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_string()) return JsonEquivalent(b, a);
  if (a.is_string() && b.is_number()) {
    double x = 0;
    try {
      x = std::stod(a.get<std::string>());
    } catch (...) {
      return false;
    }
    return x == b.get<double>();
  }
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) return a.get<int64_t>() == b.get<int64_t>();
    const double x = a.get<double>(), y = b.get<double>();
    return x == y || static_cast<float>(x) == static_cast<float>(y);
  }
  if (a.is_string() && b.is_string())
    return NormalTimestamp(a.get<std::string>()) == NormalTimestamp(b.get<std::string>());
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonEquivalent(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !JsonEquivalent(it.value(), b.at(it.key()))) return false;
    }
    return true;
  }
  return a == b;
}

struct OracleFile {
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type
  std::vector<nlohmann::json> schema;
  std::vector<nlohmann::json> chunks;
  std::vector<std::string> rows;  // to_json of each row
};

inline std::string OracleDir() { return gaggle::testing::SourceRoot() + "/tests/oracle"; }

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline Status RunNode(const std::string& args, std::string* output) {
  if (!std::filesystem::exists(OracleDir() + "/node_modules/@duckdb/node-api")) {
    return Status::NotFound("DuckDB oracle missing in " + OracleDir() +
                            "/node_modules: run `bash tests/oracle/setup.sh`");
  }
  std::string cmd = "node " + ShellQuote(OracleDir() + "/nested_parquet.mjs") + " " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return Status::IOError("cannot run node");
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int rc = ::pclose(pipe);
  if (rc != 0) return Status::IOError("oracle failed: " + output->substr(0, 3000));
  return Status::OK();
}

// DuckDB writes the result of `sql` to `path` (COPY ... (FORMAT parquet, options)).
inline Status DuckDbWrite(const std::string& path, const std::string& sql, const std::string& options = "") {
  std::string out;
  return RunNode(
      "write " + ShellQuote(path) + " " + ShellQuote(sql) + (options.empty() ? "" : " " + ShellQuote(options)), &out);
}

// DuckDB reads every file (one start-up).
inline Status DuckDbRead(const std::vector<std::string>& paths, std::map<std::string, OracleFile>* files) {
  std::string args = "read";
  for (const std::string& p : paths) args += " " + ShellQuote(p);
  std::string output;
  GAGGLE_RETURN_IF_ERROR(RunNode(args, &output));
  OracleFile* current = nullptr;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    nlohmann::json line = nlohmann::json::parse(output.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (line.is_discarded()) return Status::Corruption("oracle printed a line that is not JSON");
    const std::string kind = line.value("kind", "");
    if (kind == "file") {
      current = &(*files)[line["path"].get<std::string>()];
      continue;
    }
    if (current == nullptr) return Status::Corruption("oracle output does not start with a file line");
    if (kind == "column") current->columns.emplace_back(line["name"], line["type"]);
    if (kind == "parquet_schema") current->schema.push_back(line);
    if (kind == "chunk") current->chunks.push_back(line);
    if (kind == "row") current->rows.push_back(line["json"].get<std::string>());
  }
  return Status::OK();
}

// Compares every row of `ours` with DuckDB's to_json rows; reports the first few differences.
inline void ExpectRowsMatch(const RecordBatch& ours, const OracleFile& duck, const std::string& what) {
  ASSERT_EQ(ours.num_rows(), duck.rows.size()) << what;
  int reported = 0;
  for (size_t r = 0; r < ours.num_rows() && reported < 5; ++r) {
    const std::string mine = RowJson(ours, r);
    nlohmann::json a = nlohmann::json::parse(mine, nullptr, false);
    nlohmann::json b = nlohmann::json::parse(duck.rows[r], nullptr, false);
    ASSERT_FALSE(a.is_discarded()) << mine;
    ASSERT_FALSE(b.is_discarded()) << duck.rows[r];
    if (!JsonEquivalent(a, b)) {
      ADD_FAILURE() << what << " row " << r << "\n  gaggle: " << mine << "\n  duckdb: " << duck.rows[r];
      ++reported;
    }
  }
}

}  // namespace gaggle::nested_test
