// DuckDB is opened on first use, at the pinned version, and no gaggle binary links it.
#include "verify/duckdb_api.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "verify/duckdb_engine.h"

namespace gaggle {
namespace {

TEST(DuckDbApi, LoadsThePinnedVersionOnFirstUse) {
  auto api = LoadDuckDb();
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(std::string((*api)->duckdb_library_version()), std::string("v") + GAGGLE_DUCKDB_VERSION);
  EXPECT_EQ(&DuckDb(), *api);  // one table per process
  auto engine = DuckDbEngine::Open({});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto conn = (*engine)->Connect();
  ASSERT_TRUE(conn.ok());
  auto result = (*conn)->Query("SELECT 6 * 7 AS answer", 10);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->columns, std::vector<std::string>{"answer"});
}

TEST(DuckDbApi, NoBinaryNeedsTheLibraryToStart) {
  // The test binary links exactly what gaggle links (gaggle_core): libduckdb.so must not be
  // among its needed libraries, or every gaggle process would load it at start.
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  FILE* p = ::popen(("objdump -p '" + self + "' 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << out;
  EXPECT_NE(out.find("NEEDED"), std::string::npos) << out;
  EXPECT_EQ(out.find("libduckdb"), std::string::npos) << "libduckdb.so is linked:\n" << out;
}

}  // namespace
}  // namespace gaggle
