#include "verify/tpch_corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dataset/format_table.h"
#include "formats/format.h"
#include "transform/transformer.h"
#include "verify/duckdb_engine.h"
#include "verify/duckdb_table_loader.h"

namespace gaggle {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s->find(from, at)) != std::string::npos; at += to.size()) s->replace(at, from.size(), to);
}

}  // namespace

Result<std::vector<CorpusQuery>> LoadCorpusQueries(const std::string& corpus_dir) {
  std::vector<CorpusQuery> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(corpus_dir, ec)) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() != ".sql" || p.stem() == "generate") continue;
    GAGGLE_ASSIGN_OR_RETURN(std::string sql, ReadText(p.string()));
    out.push_back({p.stem().string(), std::move(sql)});
  }
  if (ec) return Status::IOError("cannot list " + corpus_dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const CorpusQuery& a, const CorpusQuery& b) { return a.name < b.name; });
  return out;
}

Status GenerateTpch(const std::string& corpus_dir, double sf, const std::string& out_dir,
                    const std::string& memory_limit) {
  if (!(sf > 0) || sf > 100)
    return Status::InvalidArgument("TPC-H scale factor " + std::to_string(sf) + " out of (0, 100]");
  GAGGLE_ASSIGN_OR_RETURN(std::string sql, ReadText(corpus_dir + "/generate.sql"));
  if (out_dir.find('\'') != std::string::npos) return Status::InvalidArgument("folder has a quote: " + out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Status::IOError("cannot create " + out_dir + ": " + ec.message());
  std::ostringstream factor;
  factor << sf;
  ReplaceAll(&sql, ":SF", factor.str());
  ReplaceAll(&sql, ":DIR", out_dir);
  DuckDbOptions options;
  options.memory_limit = memory_limit;
  GAGGLE_ASSIGN_OR_RETURN(auto engine, DuckDbEngine::Open(options));
  GAGGLE_ASSIGN_OR_RETURN(auto conn, engine->Connect());
  return conn->Execute(sql).WithContext("generating TPC-H data in " + out_dir);
}

Status MigrateTable(const MigrationSpec& spec, const std::string& old_path, const std::string& new_path,
                    const std::function<void(RecordBatch*)>& fault) {
  GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(old_path));
  ReadOptions ro;
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(old_path, format, ro));
  GAGGLE_ASSIGN_OR_RETURN(Transformer t,
                          Transformer::Make(TransformForSchema(spec.transform, *reader->schema()), *reader->schema()));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(new_path).parent_path(), ec);
  WriteOptions wo;
  wo.compression = Compression::kSnappy;
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenWriter(new_path, Format::kParquet, t.output_schema(), wo));
  RecordBatch in, out;
  std::vector<RowError> rejections;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&in));
    if (!more) break;
    GAGGLE_RETURN_IF_ERROR(t.Apply(in, &out, &rejections));
    if (!rejections.empty()) return Status::InvalidArgument(old_path + ": the migration rejects rows");
    if (fault) fault(&out);
    GAGGLE_RETURN_IF_ERROR(writer->Write(out));
  }
  return writer->Finish();
}

Result<Catalog> TpchCatalog(const std::string& old_dir, const std::vector<CorpusQuery>& queries) {
  Catalog c;
  for (const std::string& t : TpchTables()) {
    Entity e;
    e.kind = EntityKind::kDataset;
    e.id = e.name = t;
    e.uri = old_dir + "/" + t + ".parquet";
    e.format = "parquet";
    c.AddEntity(e);
  }
  for (const CorpusQuery& q : queries) {
    Entity app;
    app.kind = EntityKind::kComponent;
    app.name = "tpch-" + q.name;
    app.id = "component:" + app.name;
    app.owner = "team-analytics";
    app.queries = {q.sql};
    c.AddEntity(app);
    for (const std::string& t : TpchTables()) c.AddEdge(t, app.id);
  }
  GAGGLE_RETURN_IF_ERROR(c.Finalize());
  return c;
}

}  // namespace gaggle
