// Downstream verification of the 22 TPC-H queries (tests/corpus/tpch/) against DuckDB
// answering the same queries straight on the files, in the same run.
//
//   verify_tpch_bench SOURCE_DIR WORK_DIR [SF=1] [MEMORY_LIMIT=2GB]
//
// Generates the old data at scale factor SF (once; kept in WORK_DIR/old-SF), migrates it
// with the corpus' renames and cast into WORK_DIR/new-SF (gaggle's Transformer and Parquet
// writer; kept too), then times:
//   peer          DuckDB, one engine with MEMORY_LIMIT, views over the old Parquet files,
//                 each of the 22 original queries run once;
//   verification  gaggle's QueryVerifier over all 22 consumers with the same MEMORY_LIMIT:
//                 the old data loaded through the appender (and the migration's filter), the
//                 new Parquet read in place, each query on both sides, answers compared.
// Prints both times, ratio = peer / verification (goal >= 0.5) and the peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "spec/migration_spec.h"
#include "verify/duckdb_engine.h"
#include "verify/duckdb_table_loader.h"
#include "verify/query_verifier.h"
#include "verify/tpch_corpus.h"

namespace {

using namespace gaggle;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

const char* kSpec = R"(name: tpch-rename
version: 2
transform:
  rename:
    l_extendedprice: l_extended_price
    l_shipdate: l_ship_date
    l_quantity: l_qty
    o_orderdate: o_order_date
    c_acctbal: c_account_balance
    ps_supplycost: ps_supply_cost
    p_type: p_part_type
  cast: {l_qty: double}
verify: {table: "{id}_v2"}
)";

int Fail(const Status& st) {
  std::fprintf(stderr, "verify_tpch_bench: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: verify_tpch_bench SOURCE_DIR WORK_DIR [SF] [MEMORY_LIMIT]\n");
    return 2;
  }
  const std::string corpus = std::string(argv[1]) + "/tests/corpus/tpch";
  const std::string sf_text = argc > 3 ? argv[3] : "1";
  const std::string memory = argc > 4 ? argv[4] : "2GB";
  const std::string old_dir = std::string(argv[2]) + "/old-" + sf_text;
  const std::string new_dir = std::string(argv[2]) + "/new-" + sf_text;
  auto spec = ParseMigrationSpec(kSpec, "tpch.yaml");
  if (!spec.ok()) return Fail(spec.status());
  auto queries = LoadCorpusQueries(corpus);
  if (!queries.ok()) return Fail(queries.status());

  if (!fs::exists(old_dir + "/lineitem.parquet")) {
    const auto t = Steady::now();
    Status st = GenerateTpch(corpus, std::stod(sf_text), old_dir, memory);
    if (!st.ok()) return Fail(st);
    std::printf("generated SF %s in %.1f s\n", sf_text.c_str(), Since(t));
  }
  std::vector<VerifiedDataset> migrated;
  const auto tm = Steady::now();
  for (const std::string& t : TpchTables()) {
    const std::string new_path = new_dir + "/" + t + "/part-0.parquet";
    if (!fs::exists(new_path)) {
      Status st = MigrateTable(*spec, old_dir + "/" + t + ".parquet", new_path);
      if (!st.ok()) return Fail(st);
    }
    migrated.push_back({t, old_dir + "/" + t + ".parquet", new_dir + "/" + t});
  }
  std::printf("migrated in %.1f s\n", Since(tm));

  // The peer: DuckDB straight on the old files.
  double peer = 0;
  {
    DuckDbOptions o;
    o.memory_limit = memory;
    auto engine = DuckDbEngine::Open(o);
    if (!engine.ok()) return Fail(engine.status());
    auto conn = (*engine)->Connect();
    if (!conn.ok()) return Fail(conn.status());
    const auto t = Steady::now();
    for (const std::string& table : TpchTables()) {
      Status st = CreateParquetView(conn->get(), table, old_dir + "/" + table + ".parquet");
      if (!st.ok()) return Fail(st);
    }
    for (const CorpusQuery& q : *queries) {
      auto r = (*conn)->Query(q.sql, 10'000'000);
      if (!r.ok()) return Fail(r.status().WithContext(q.name));
    }
    peer = Since(t);
  }

  auto catalog = TpchCatalog(old_dir, *queries);
  if (!catalog.ok()) return Fail(catalog.status());
  QueryVerifierOptions vo;
  vo.sample = 0;
  vo.memory_limit = memory;
  QueryVerifier verifier(*spec, *catalog, vo);
  const auto tv = Steady::now();
  auto report = verifier.Verify(migrated);
  const double verify = Since(tv);
  if (!report.ok()) return Fail(report.status());
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "| TPC-H SF %s, 22 queries | verification %.2f s | DuckDB on the files %.2f s | ratio %.2fx | %s | "
      "memory_limit %s, peak RSS %ld MB |\n",
      sf_text.c_str(), verify, peer, peer / verify, report->Summary().c_str(), memory.c_str(), ru.ru_maxrss / 1024);
  for (const QueryCheck& c : report->checks) {
    std::printf("  %s %s %.2f s%s%s\n", c.consumer.c_str(), OutcomeName(c.outcome), c.seconds,
                c.reason.empty() ? "" : ": ", c.reason.c_str());
  }
  return report->passed() ? 0 : 1;
}
