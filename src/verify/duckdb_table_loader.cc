#include "verify/duckdb_table_loader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <set>
#include <type_traits>

#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/prefetching_reader.h"
#include "dataset/text_typing_policy.h"
#include "formats/format.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

std::string DuckType(const DataType& t) {
  switch (t.id) {
    case TypeId::kBool: return "BOOLEAN";
    case TypeId::kInt32: return "INTEGER";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kString: return "VARCHAR";
    case TypeId::kBinary: return "BLOB";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp: return t.utc ? "TIMESTAMPTZ" : "TIMESTAMP";
    case TypeId::kDecimal: return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return "VARCHAR";  // nested values load as their JSON text (value_json.h)
  }
  return "VARCHAR";
}

// Copies fixed-width values: rows[start..start+n) of `c` (or rows start.. when `rows` is null)
// into `out`, converted to the vector's storage type T.
template <typename T, typename S>
void CopyFixed(const Column& c, const std::vector<uint32_t>* rows, size_t start, size_t n, T* out) {
  const S* in = c.data<S>();
  if (!rows) {
    if constexpr (std::is_same_v<T, S>) {
      std::memcpy(out, in + start, n * sizeof(T));
    } else {
      for (size_t k = 0; k < n; ++k) out[k] = static_cast<T>(in[start + k]);
    }
    return;
  }
  for (size_t k = 0; k < n; ++k) out[k] = static_cast<T>(in[(*rows)[start + k]]);
}

// Fills vector `v` (of DuckType(c.type())) with n rows of `c`.
void FillVector(duckdb_vector v, const Column& c, const std::vector<uint32_t>* rows, size_t start, size_t n) {
  auto row = [&](size_t k) -> size_t { return rows ? (*rows)[start + k] : start + k; };
  void* data = DuckDb().duckdb_vector_get_data(v);
  const DataType& t = c.type();
  switch (t.id) {
    case TypeId::kBool: {
      bool* out = static_cast<bool*>(data);
      for (size_t k = 0; k < n; ++k) out[k] = c.Get<uint8_t>(row(k)) != 0;
      break;
    }
    case TypeId::kInt32:
    case TypeId::kDate: CopyFixed<int32_t, int32_t>(c, rows, start, n, static_cast<int32_t*>(data)); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: CopyFixed<int64_t, int64_t>(c, rows, start, n, static_cast<int64_t*>(data)); break;
    case TypeId::kFloat: CopyFixed<float, float>(c, rows, start, n, static_cast<float*>(data)); break;
    case TypeId::kDouble: CopyFixed<double, double>(c, rows, start, n, static_cast<double*>(data)); break;
    case TypeId::kString:
    case TypeId::kBinary:
      for (size_t k = 0; k < n; ++k) {
        std::string_view s = c.GetString(row(k));
        DuckDb().duckdb_vector_assign_string_element_len(v, k, s.data(), s.size());
      }
      break;
    case TypeId::kDecimal:
      // DuckDB stores DECIMAL(p,s) in 16, 32, 64 or 128 bits by precision.
      if (t.is_wide_decimal()) {
        auto* out = static_cast<duckdb_hugeint*>(data);
        for (size_t k = 0; k < n; ++k) {
          const Int128 u = c.Get<Int128>(row(k));
          out[k].lower = static_cast<uint64_t>(static_cast<UInt128>(u));
          out[k].upper = static_cast<int64_t>(u >> 64);
        }
      } else if (t.precision <= 4) {
        CopyFixed<int16_t, int64_t>(c, rows, start, n, static_cast<int16_t*>(data));
      } else if (t.precision <= 9) {
        CopyFixed<int32_t, int64_t>(c, rows, start, n, static_cast<int32_t*>(data));
      } else {
        CopyFixed<int64_t, int64_t>(c, rows, start, n, static_cast<int64_t*>(data));
      }
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      for (size_t k = 0; k < n; ++k) {
        std::string json = c.ValueToString(row(k));
        DuckDb().duckdb_vector_assign_string_element_len(v, k, json.data(), json.size());
      }
      break;
  }
  if (c.may_have_nulls()) {
    for (size_t k = 0; k < n; ++k) {
      if (!c.IsNull(row(k))) continue;
      DuckDb().duckdb_vector_ensure_validity_writable(v);
      DuckDb().duckdb_validity_set_row_invalid(DuckDb().duckdb_vector_get_validity(v), k);
    }
  }
}

// Exact name first; else the one field equal ignoring ASCII case (SQL names are case-insensitive).
int FindColumn(const Schema& schema, const std::string& name) {
  int exact = schema.FindField(name);
  if (exact >= 0) return exact;
  int found = -1;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const std::string& f = schema.field(i).name;
    if (f.size() == name.size() && std::equal(f.begin(), f.end(), name.begin(),
                                              [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      if (found >= 0) return -1;
      found = static_cast<int>(i);
    }
  }
  return found;
}

struct AppenderCloser {
  void operator()(duckdb_appender a) const { DuckDb().duckdb_appender_destroy(&a); }
};
struct ChunkCloser {
  void operator()(duckdb_data_chunk c) const { DuckDb().duckdb_destroy_data_chunk(&c); }
};
using Appender = std::unique_ptr<std::remove_pointer_t<duckdb_appender>, AppenderCloser>;
using Chunk = std::unique_ptr<std::remove_pointer_t<duckdb_data_chunk>, ChunkCloser>;

// The table's columns: the requested ones (all when none) in the data's order.
Result<std::vector<size_t>> Picks(const Schema& schema, const std::vector<std::string>& wanted,
                                  const std::string& where) {
  std::vector<size_t> picks;
  if (wanted.empty()) {
    for (size_t i = 0; i < schema.num_fields(); ++i) picks.push_back(i);
    return picks;
  }
  for (const std::string& name : wanted) {
    const int idx = FindColumn(schema, name);
    if (idx < 0)
      return Status::SchemaMismatch(where + ": has no column '" + name + "' (it has " + schema.ToString() + ")");
    if (std::find(picks.begin(), picks.end(), static_cast<size_t>(idx)) == picks.end())
      picks.push_back(static_cast<size_t>(idx));
  }
  std::sort(picks.begin(), picks.end());
  return picks;
}

// Appends rows `rows` (all when null) of `in`'s columns `picks`, a vector's worth at a time.
Status AppendRows(duckdb_appender app, const RecordBatch& in, const std::vector<size_t>& picks,
                  const std::vector<duckdb_logical_type>& types, const std::vector<uint32_t>* rows) {
  const size_t m = rows ? rows->size() : in.num_rows();
  const idx_t cap = DuckDb().duckdb_vector_size();
  Chunk chunk(DuckDb().duckdb_create_data_chunk(const_cast<duckdb_logical_type*>(types.data()), types.size()));
  for (size_t start = 0; start < m; start += cap) {
    DuckDb().duckdb_data_chunk_reset(chunk.get());
    const size_t n = std::min<size_t>(cap, m - start);
    for (size_t c = 0; c < picks.size(); ++c) {
      FillVector(DuckDb().duckdb_data_chunk_get_vector(chunk.get(), c), in.columns[picks[c]], rows, start, n);
    }
    DuckDb().duckdb_data_chunk_set_size(chunk.get(), n);
    if (DuckDb().duckdb_append_data_chunk(app, chunk.get()) != DuckDBSuccess) {
      const char* e = DuckDb().duckdb_appender_error(app);
      return Status::Internal(std::string("DuckDB appender: ") + (e ? e : "unknown error"));
    }
  }
  return Status::OK();
}

}  // namespace

TransformSpec TransformForSchema(const TransformSpec& transform, const Schema& schema) {
  TransformSpec t = transform;
  std::set<std::string> names;
  for (const Field& f : schema.fields()) names.insert(f.name);
  std::erase_if(t.rename, [&](const auto& r) { return !names.count(r.first); });
  std::set<std::string> after = names;
  for (const auto& [from, to] : t.rename) {
    after.erase(from);
    after.insert(to);
  }
  std::erase_if(t.cast, [&](const auto& c) { return !after.count(c.first); });
  std::erase_if(t.drop, [&](const std::string& d) { return !after.count(d); });
  return t;
}

Result<TableLoadStats> LoadDuckDbTable(DuckDbConnection* conn, const TableLoadRequest& request, FileSystem* fs) {
  TableLoadStats stats;
  bool is_dir = false;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDatasetFiles(fs, request.root, &is_dir));
  Appender app;
  std::vector<size_t> picks;
  std::vector<duckdb_logical_type> types;
  struct TypesCloser {
    std::vector<duckdb_logical_type>* t;
    ~TypesCloser() {
      for (auto& x : *t) DuckDb().duckdb_destroy_logical_type(&x);
    }
  } types_closer{&types};
  std::shared_ptr<const Schema> first_schema;
  RecordBatch in, mapped;
  std::vector<RowError> rejections;
  std::vector<uint32_t> kept;
  for (const InputFile& file : files) {
    const std::string where =
        "dataset " + request.root + (file.relative_path.empty() ? "" : ", file " + file.relative_path);
    GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(file.path));
    ReadOptions options;
    options.batch_rows = request.batch_rows;
    TypeTextAs(format, request.text_schema, &options);
    // Without a transform to run, a Parquet file is read for the requested columns alone
    // (on an object store: ranged GETs of their column chunks only).
    if (!request.through && format == Format::kParquet) options.columns = request.columns;
    auto opened = OpenReader(file.path, format, options, fs);
    if (!opened.ok()) return opened.status().WithContext(where);
    // The next batch is decoded on a second thread while this one is transformed and appended.
    std::unique_ptr<BatchReader> reader = MaybePrefetch(std::move(opened).value(), true);
    const std::shared_ptr<const Schema> schema = reader->schema();
    std::optional<Transformer> transformer;
    if (request.through) {
      auto t = Transformer::Make(TransformForSchema(request.through->transform, *schema), *schema);
      if (!t.ok()) return t.status().WithContext(where);
      transformer.emplace(std::move(t).value());
    }
    if (!first_schema) {
      first_schema = schema;
      stats.schema = *schema;
      GAGGLE_ASSIGN_OR_RETURN(picks, Picks(*schema, request.columns, where));
      std::string create = "CREATE TABLE " + QuoteSqlIdentifier(request.table) + " (";
      for (size_t i = 0; i < picks.size(); ++i) {
        const Field& f = schema->field(picks[i]);
        const std::string type = DuckType(f.type);
        create += (i ? ", " : "") + QuoteSqlIdentifier(f.name) + " " + type;
        stats.column_names.push_back(f.name);
      }
      GAGGLE_RETURN_IF_ERROR(conn->Execute(create + ")").WithContext("creating table " + request.table));
      duckdb_appender a = nullptr;
      if (DuckDb().duckdb_appender_create(conn->raw(), nullptr, request.table.c_str(), &a) != DuckDBSuccess) {
        std::string e = a ? DuckDb().duckdb_appender_error(a) : "";
        DuckDb().duckdb_appender_destroy(&a);
        return Status::Internal("DuckDB: cannot append to " + request.table + ": " + e);
      }
      app.reset(a);
      // The appender's own column types, so the chunk matches the table exactly.
      for (size_t i = 0; i < picks.size(); ++i) types.push_back(DuckDb().duckdb_appender_column_type(app.get(), i));
    } else if (*schema != *first_schema) {
      return Status::SchemaMismatch(where + ": has columns {" + schema->ToString() + "}, earlier files {" +
                                    first_schema->ToString() + "}");
    }
    while (true) {
      auto more = reader->Next(&in);
      if (!more.ok()) return more.status().WithContext(where);
      if (!*more) break;
      const size_t n = in.num_rows();
      stats.rows_read += static_cast<int64_t>(n);
      const std::vector<uint32_t>* rows = nullptr;
      if (transformer) {
        rejections.clear();
        Status st = transformer->Apply(in, &mapped, &rejections, nullptr, &kept);
        if (!st.ok()) return st.WithContext(where);
        rows = &kept;
        stats.rows_excluded += static_cast<int64_t>(n - kept.size());
      }
      GAGGLE_RETURN_IF_ERROR(AppendRows(app.get(), in, picks, types, rows).WithContext(where));
      stats.rows_loaded += static_cast<int64_t>(rows ? rows->size() : n);
    }
    ++stats.files;
  }
  if (!first_schema) {
    // An empty dataset: a table with the requested columns (untyped) and no rows.
    std::string create = "CREATE TABLE " + QuoteSqlIdentifier(request.table) + " (";
    for (size_t i = 0; i < request.columns.size(); ++i)
      create += (i ? ", " : "") + QuoteSqlIdentifier(request.columns[i]) + " VARCHAR";
    if (request.columns.empty()) create += "_empty VARCHAR";
    GAGGLE_RETURN_IF_ERROR(conn->Execute(create + ")").WithContext("creating table " + request.table));
    stats.column_names = request.columns;
    return stats;
  }
  if (DuckDb().duckdb_appender_flush(app.get()) != DuckDBSuccess) {
    const char* e = DuckDb().duckdb_appender_error(app.get());
    return Status::Internal("DuckDB appender (" + request.root + "): " + (e ? e : "unknown error"));
  }
  return stats;
}

bool IsParquetDataset(const std::string& root, FileSystem* fs) {
  bool is_dir = false;
  auto files = ListDatasetFiles(fs, root, &is_dir);
  if (!files.ok() || files->empty()) return false;
  for (const InputFile& f : *files) {
    auto format = FormatFromPath(f.path);
    if (!format.ok() || *format != Format::kParquet) return false;
  }
  return true;
}

Status CreateParquetView(DuckDbConnection* conn, const std::string& view, const std::string& root, FileSystem* fs) {
  bool is_dir = false;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDatasetFiles(fs, root, &is_dir));
  if (files.empty()) return Status::NotFound("dataset " + root + " has no data files");
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) list += (i ? ", " : "") + QuoteSqlString(files[i].path);
  list += "]";
  return conn->Execute("CREATE VIEW " + QuoteSqlIdentifier(view) + " AS SELECT * FROM read_parquet(" + list + ")")
      .WithContext("reading dataset " + root);
}

}  // namespace gaggle
