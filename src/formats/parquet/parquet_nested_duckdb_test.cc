// DuckDB as the independent check of nested Parquet (tests/oracle/nested_parquet.mjs):
//  - files gaggle writes, for every nested shape, codec, dictionary setting, page and row group
//    size, are read back by DuckDB exactly (values, types, LIST/MAP layout, per-leaf statistics);
//  - files DuckDB writes (data pages v1 and v2, codecs) are read by gaggle exactly;
//  - the nested files of the Apache test corpora (legacy two-level lists, MAP_KEY_VALUE, repeated
//    fields without annotation, Impala and Spark layouts) read as DuckDB reads them.
// A missing oracle is a failure, not a skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "common/source_dir_test_util.h"
#include "formats/parquet/parquet_nested_test_util.h"

namespace gaggle {
namespace {

using nested_test::DuckDbRead;
using nested_test::DuckDbWrite;
using nested_test::ExpectRowsMatch;
using nested_test::OracleFile;
using nested_test::RandomBatch;
using nested_test::ReadFile;
using nested_test::ScratchDir;
using nested_test::ShapesSchema;
using nested_test::WriteFile;

const OracleFile& Find(const std::map<std::string, OracleFile>& files, const std::string& path) {
  static const OracleFile kNone;
  auto it = files.find(path);
  return it == files.end() ? kNone : it->second;
}

TEST(ParquetNestedDuckDb, OurFilesReadExactly) {
  ScratchDir dir;
  auto schema = ShapesSchema();
  RecordBatch b = RandomBatch(schema, 1500, 42);
  struct Variant {
    std::string name;
    WriteOptions options;
  };
  std::vector<Variant> variants;
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    WriteOptions o;
    o.compression = c;
    variants.push_back({std::string("default_") + CompressionName(c), o});
  }
  WriteOptions small;
  small.page_bytes = 100;
  small.row_group_rows = 333;
  small.dictionary_max_entries = 20;
  variants.push_back({"small_pages", small});
  WriteOptions plain;
  plain.dictionary = false;
  plain.row_group_rows = 1000;
  variants.push_back({"plain", plain});

  std::vector<std::string> paths;
  for (const Variant& v : variants) {
    paths.push_back(dir.File(v.name + ".parquet"));
    ASSERT_TRUE(WriteFile(paths.back(), {b}, v.options).ok()) << v.name;
  }
  std::map<std::string, OracleFile> files;
  Status st = DuckDbRead(paths, &files);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 0; i < paths.size(); ++i) {
    const OracleFile& duck = Find(files, paths[i]);
    ExpectRowsMatch(b, duck, variants[i].name);
    std::map<std::string, std::string> types(duck.columns.begin(), duck.columns.end());
    EXPECT_EQ(types["list_int"], "BIGINT[]");
    EXPECT_EQ(types["list_string"], "VARCHAR[]");
    EXPECT_EQ(types["map_string"], "MAP(VARCHAR, VARCHAR)");
    EXPECT_EQ(types["list_list"], "INTEGER[][]");
    EXPECT_EQ(types["required_elements"], "BIGINT[]");

    // Per-leaf statistics agree with gaggle's own view of the file.
    Result<FileSummary> summary = InspectParquet(FileSystem::Default(), paths[i]);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    size_t chunk = 0;
    for (const RowGroupSummary& rg : summary->row_groups) {
      for (const ColumnChunkSummary& c : rg.columns) {
        ASSERT_LT(chunk, duck.chunks.size());
        const nlohmann::json& d = duck.chunks[chunk++];
        std::string path = c.column;
        for (size_t p = 0; (p = path.find('.', p)) != std::string::npos; p += 2) path.replace(p, 1, ", ");
        EXPECT_EQ(d["path_in_schema"], path) << variants[i].name;
        ASSERT_TRUE(c.null_count.has_value());
        EXPECT_EQ(d["stats_null_count"], std::to_string(*c.null_count)) << variants[i].name << " " << c.column;
        if (c.physical_type == "INT64" && c.min && !d["stats_min_value"].is_null()) {
          EXPECT_EQ(d["stats_min_value"], *c.min) << c.column;
          EXPECT_EQ(d["stats_max_value"], *c.max) << c.column;
        }
      }
    }
    EXPECT_EQ(chunk, duck.chunks.size());
  }
  // The standard three-level layouts, annotated.
  const OracleFile& duck = Find(files, paths[0]);
  int lists = 0, maps = 0;
  for (const nlohmann::json& e : duck.schema) {
    if (e["converted_type"] == "LIST") {
      ++lists;
      EXPECT_EQ(e["num_children"], "1");
    }
    if (e["converted_type"] == "MAP") ++maps;
    if (e["name"] == "list" || e["name"] == "key_value") {
      EXPECT_EQ(e["repetition_type"], "REPEATED");
    }
  }
  EXPECT_EQ(lists, 10);
  EXPECT_EQ(maps, 3);
}

TEST(ParquetNestedDuckDb, RandomShapesReadExactly) {
  ScratchDir dir;
  std::vector<std::string> paths;
  std::vector<RecordBatch> batches;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    nested_test::RandomValues random(seed * 104729);
    std::vector<Field> fields{{"id", DataType::Int64(), false}};
    const size_t n = 1 + random.Pick(3);
    for (size_t i = 0; i < n; ++i) fields.push_back({"c" + std::to_string(i), random.Type(4), random.Pick(3) != 0});
    auto schema = std::make_shared<Schema>(fields);
    batches.push_back(RandomBatch(schema, 1 + random.Pick(300), seed));
    WriteOptions o;
    o.page_bytes = 16 + random.Pick(3000);
    o.row_group_rows = static_cast<int64_t>(1 + random.Pick(200));
    o.dictionary = random.Pick(2) == 0;
    o.compression = static_cast<Compression>(random.Pick(4));
    paths.push_back(dir.File("random" + std::to_string(seed) + ".parquet"));
    ASSERT_TRUE(WriteFile(paths.back(), {batches.back()}, o).ok()) << schema->ToString();
  }
  std::map<std::string, OracleFile> files;
  Status st = DuckDbRead(paths, &files);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 0; i < paths.size(); ++i) {
    ExpectRowsMatch(batches[i], Find(files, paths[i]),
                    "seed " + std::to_string(i + 1) + ": " + batches[i].schema->ToString());
  }
}

// Every shape, nulls at every level, empty lists; DuckDB's writer in its layouts and page versions.
constexpr const char* kDuckDbNested = R"(
SELECT i AS id,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN []::BIGINT[]
    ELSE list_transform(range(i % 4), x -> CASE WHEN x = 1 THEN NULL ELSE x * i END) END AS list_int,
  list_transform(range(i % 3), x -> CASE WHEN x = 2 THEN NULL ELSE 's' || (i * x) END) AS list_str,
  list_transform(range(i % 3), x -> CASE WHEN x = 1 AND i % 2 = 0 THEN NULL
    ELSE {'a': x, 'b': CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || x END} END) AS list_struct,
  CASE WHEN i % 6 = 0 THEN NULL ELSE {'tags': CASE WHEN i % 4 = 1 THEN NULL
    ELSE list_transform(range(i % 3), x -> 't' || x) END, 'n': i} END AS struct_list,
  CASE WHEN i % 5 = 0 THEN NULL ELSE map(list_transform(range(i % 3), x -> 'k' || x),
    list_transform(range(i % 3), x -> CASE WHEN x = 1 THEN NULL ELSE 'v' || i END)) END AS map_str,
  map(['a', 'b'], [{'x': i, 'y': i % 2 = 0}, NULL]) AS map_struct,
  list_transform(range(i % 3), x -> CASE WHEN x = 2 THEN NULL ELSE list_transform(range(x), y -> (y + i)::INTEGER) END)
    AS list_list,
  {'a': [map(['k'], [[{'b': i, 'c': [DATE '2020-01-01' + i::INTEGER, NULL]}]])]} AS deep,
  {'d9': (i / 7)::DECIMAL(9,2), 'd18': (i * 1000.5)::DECIMAL(18,4)} AS decimals
FROM range(2500) t(i))";

TEST(ParquetNestedDuckDb, DuckDbFilesReadExactly) {
  ScratchDir dir;
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"v1_none", "COMPRESSION uncompressed"},
      {"v1_snappy", "COMPRESSION snappy, ROW_GROUP_SIZE 1000"},
      {"v2_zstd", "COMPRESSION zstd, PARQUET_VERSION v2"},
      {"v1_gzip_small", "COMPRESSION gzip, ROW_GROUP_SIZE 100"},
  };
  std::vector<std::string> paths;
  for (const auto& [name, options] : variants) {
    paths.push_back(dir.File(name + ".parquet"));
    Status st = DuckDbWrite(paths.back(), kDuckDbNested, options);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::map<std::string, OracleFile> files;
  Status st = DuckDbRead(paths, &files);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t batch_rows : {65536, 333}) {
      Result<RecordBatch> ours = ReadFile(paths[i], batch_rows);
      ASSERT_TRUE(ours.ok()) << variants[i].first << ": " << ours.status().ToString();
      ExpectRowsMatch(*ours, Find(files, paths[i]), variants[i].first);
    }
  }
}

// The nested files of the Apache test corpora (../shared/corpus, read in place).
TEST(ParquetNestedDuckDb, CorpusNestedFilesReadAsDuckDbReadsThem) {
  // ../shared/corpus beside the checkout; a worktree elsewhere finds it through GAGGLE_CORPUS_DIR
  // or at /work/shared/corpus.
  std::string root = gaggle::testing::SourceRoot() + "/../shared/corpus";
  if (const char* env = std::getenv("GAGGLE_CORPUS_DIR")) root = env;
  if (!std::filesystem::exists(root)) root = "/work/shared/corpus";
  const std::string corpus = root + "/parquet-testing/data/";
  const std::vector<std::string> names = {"list_columns.parquet",
                                          "nested_lists.snappy.parquet",
                                          "nested_maps.snappy.parquet",
                                          "nested_structs.rust.parquet",
                                          "nonnullable.impala.parquet",
                                          "nullable.impala.parquet",
                                          "null_list.parquet",
                                          "old_list_structure.parquet",
                                          "repeated_no_annotation.parquet",
                                          "repeated_primitive_no_list.parquet",
                                          "incorrect_map_schema.parquet"};
  std::vector<std::string> paths;
  for (const std::string& n : names) {
    paths.push_back(corpus + n);
    ASSERT_TRUE(std::filesystem::exists(paths.back())) << paths.back() << " (the shared Apache corpus) is missing";
  }
  std::map<std::string, OracleFile> files;
  Status st = DuckDbRead(paths, &files);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const std::string& p : paths) {
    Result<RecordBatch> ours = ReadFile(p);
    ASSERT_TRUE(ours.ok()) << p << ": " << ours.status().ToString();
    ExpectRowsMatch(*ours, Find(files, p), p);
  }
}

}  // namespace
}  // namespace gaggle
