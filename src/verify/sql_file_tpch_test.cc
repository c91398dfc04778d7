// The 22 TPC-H query files of tests/corpus/tpch/ as a consumer repository holds them
// (header comments, no ';', comments inside): each rewritten in place with the rules the
// verifier uses for its consumer (verify/consumer_rules.h), and every patch accepted by
// `git apply --check` in a real repository holding the files; what the files become is
// what the verifier checked, statement for statement.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/source_dir_test_util.h"
#include "verify/consumer_rules.h"
#include "verify/query_patch.h"
#include "verify/query_rewriter.h"
#include "verify/sql_file.h"
#include "verify/tpch_corpus.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

TEST(SqlFileTpchTest, EveryCorpusFileIsPatchedInPlaceAndTheDiffApplies) {
  const fs::path dir = fs::temp_directory_path() / ("gaggle-sql-file-tpch-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string corpus = gaggle::testing::SourceRoot() + "/tests/corpus/tpch";
  ASSERT_TRUE(GenerateTpch(corpus, 0.001, (dir / "old").string(), "256MB").ok());
  auto spec = ParseMigrationSpec(
      "name: tpch\nversion: 2\ntransform:\n  rename: {l_extendedprice: l_extended_price, l_shipdate: l_ship_date, "
      "o_orderdate: o_order_date, c_acctbal: c_account_balance, p_type: p_part_type}\nverify: {table: \"{id}_v2\"}\n",
      "tpch.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto queries = LoadCorpusQueries(corpus);
  ASSERT_TRUE(queries.ok());
  ASSERT_EQ(queries->size(), 22u);
  auto catalog = TpchCatalog((dir / "old").string(), *queries);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  std::vector<VerifiedDataset> migrated;
  for (const std::string& t : TpchTables()) {
    migrated.push_back({t, (dir / "old" / (t + ".parquet")).string(), (dir / "new" / t).string()});
  }
  ConsumerRules rules(*spec, *catalog, migrated, /*preserve_output_names=*/true);
  const fs::path repo = dir / "repo";
  fs::create_directories(repo / "sql");
  std::string patch;
  int changed = 0;
  for (const CorpusQuery& q : *queries) {
    std::ofstream(repo / "sql" / (q.name + ".sql"), std::ios::binary) << q.sql;
    auto n = catalog->Find("component:tpch-" + q.name);
    ASSERT_TRUE(n.has_value()) << q.name;
    std::vector<std::string> reads;
    const RewriteRules r = rules.RulesFor(*n, &reads);
    auto file = RewriteSqlFile(q.sql, r);
    ASSERT_TRUE(file.ok()) << q.name << ": " << file.status().ToString();
    ASSERT_EQ(file->statements.size(), 1u) << q.name;
    EXPECT_EQ(file->Refused(), 0) << q.name << ": " << file->statements[0].refused;
    changed += file->Changed();
    // The file's rewrite is the verifier's rewrite of the catalog's copy of the query.
    auto verified = RewriteQuery(catalog->entity(*n).queries[0], r);
    ASSERT_TRUE(verified.ok()) << q.name;
    EXPECT_EQ(SqlStatementKey(file->statements[0].rewritten), SqlStatementKey(verified->sql)) << q.name;
    // Everything outside the statement is kept: the file ends as it did.
    EXPECT_EQ(file->text.substr(file->statements[0].span.end + (file->text.size() - q.sql.size())),
              q.sql.substr(file->statements[0].span.end))
        << q.name;
    patch += RenderFilePatch("sql/" + q.name + ".sql", q.sql, file->text);
  }
  EXPECT_GE(changed, 20);  // nearly every query reads a renamed column or table
  std::ofstream(repo / "all.patch", std::ios::binary) << patch;
  const std::string git = "cd '" + repo.string() +
                          "' && git init -q . && git add sql && git -c user.email=t@example.com -c user.name=t "
                          "commit -qm base && git apply --check all.patch > apply.log 2>&1";
  EXPECT_EQ(std::system(git.c_str()), 0) << patch;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gaggle
