// Downstream verification of the 22 TPC-H queries (tests/corpus/tpch/) against DuckDB
// answering the same queries straight on the files, in the same run.
//
//   verify_tpch_bench SOURCE_DIR WORK_DIR [SF=1] [MEMORY_LIMIT=2GB]
//
// Generates the old data at scale factor SF (once; kept in WORK_DIR/old-SF), migrates it
// with the corpus' renames and cast into WORK_DIR/new-SF (gaggle's Transformer and Parquet
// writer; written again by every run, so the files are this build's), then times:
//   peer          DuckDB, one engine with MEMORY_LIMIT, views over the old Parquet files,
//                 each of the 22 original queries run once;
//   verification  gaggle's QueryVerifier over all 22 consumers with the same MEMORY_LIMIT:
//                 the old data loaded through the appender (and the migration's filter), the
//                 new Parquet read in place, each query on both sides, answers compared.
//   new files     the same DuckDB answering the rewritten queries on the migrated files,
//                 after the verification: with the peer, the two executions verification
//                 cannot avoid, so peer / (peer + new files) is the ratio's ceiling here.
// Prints the times, ratio = peer / verification (goal >= 0.5) and the peak RSS.
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

// DuckDB with MEMORY_LIMIT answering `sql` (each query's text) over views named by
// `views` (table name -> Parquet dataset); returns the seconds, views included.
Result<double> TimeDuckDb(const std::string& memory, const std::vector<std::pair<std::string, std::string>>& views,
                          const std::vector<std::pair<std::string, std::string>>& sql) {
  DuckDbOptions o;
  o.memory_limit = memory;
  GAGGLE_ASSIGN_OR_RETURN(auto engine, DuckDbEngine::Open(o));
  GAGGLE_ASSIGN_OR_RETURN(auto conn, engine->Connect());
  const auto t = Steady::now();
  for (const auto& [table, root] : views) GAGGLE_RETURN_IF_ERROR(CreateParquetView(conn.get(), table, root));
  for (const auto& [name, text] : sql) {
    auto r = conn->Query(text, 10'000'000);
    if (!r.ok()) return r.status().WithContext(name);
  }
  return Since(t);
}

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
  std::error_code ec;
  fs::remove_all(new_dir, ec);  // this bench's own output from an earlier run
  for (const std::string& t : TpchTables()) {
    const std::string new_path = new_dir + "/" + t + "/part-0.parquet";
    Status st = MigrateTable(*spec, old_dir + "/" + t + ".parquet", new_path);
    if (!st.ok()) return Fail(st);
    migrated.push_back({t, old_dir + "/" + t + ".parquet", new_dir + "/" + t});
  }
  std::printf("migrated in %.1f s\n", Since(tm));

  // The peer: DuckDB straight on the old files.
  std::vector<std::pair<std::string, std::string>> old_views, original_sql;
  for (const std::string& table : TpchTables()) old_views.push_back({table, old_dir + "/" + table + ".parquet"});
  for (const CorpusQuery& q : *queries) original_sql.push_back({q.name, q.sql});
  auto peer = TimeDuckDb(memory, old_views, original_sql);
  if (!peer.ok()) return Fail(peer.status());

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
  // The rewritten queries straight on the migrated files (views named as the spec's verify.table).
  std::vector<std::pair<std::string, std::string>> new_views, rewritten_sql;
  for (const std::string& table : TpchTables()) new_views.push_back({table + "_v2", new_dir + "/" + table});
  for (const QueryCheck& c : report->checks) rewritten_sql.push_back({c.consumer, c.rewritten});
  auto on_new = TimeDuckDb(memory, new_views, rewritten_sql);
  if (!on_new.ok()) return Fail(on_new.status());
  std::printf(
      "| TPC-H SF %s, 22 queries | verification %.2f s | DuckDB on the files %.2f s | ratio %.2fx | %s | "
      "memory_limit %s, peak RSS %ld MB |\n",
      sf_text.c_str(), verify, *peer, *peer / verify, report->Summary().c_str(), memory.c_str(), ru.ru_maxrss / 1024);
  std::printf(
      "DuckDB on the migrated files (the rewritten queries): %.2f s; old + new files %.2f s, so the ratio's "
      "ceiling with both executions is %.2fx; verification took %.2fx their sum.\n",
      *on_new, *peer + *on_new, *peer / (*peer + *on_new), verify / (*peer + *on_new));
  for (const QueryCheck& c : report->checks) {
    std::printf("  %s %s %.2f s%s%s\n", c.consumer.c_str(), OutcomeName(c.outcome), c.seconds,
                c.reason.empty() ? "" : ": ", c.reason.c_str());
  }
  return report->passed() ? 0 : 1;
}
