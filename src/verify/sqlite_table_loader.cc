#include "verify/sqlite_table_loader.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "columnar/value_format.h"
#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/text_typing_policy.h"
#include "formats/format.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

const char* SqliteType(const DataType& t) {
  switch (t.id) {
    case TypeId::kBool:
    case TypeId::kInt32:
    case TypeId::kInt64: return "INTEGER";
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal: return "REAL";
    case TypeId::kBinary: return "BLOB";
    default: return "TEXT";
  }
}

Status SqliteError(sqlite3* db, const std::string& what) { return Status::Internal(what + ": " + sqlite3_errmsg(db)); }

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Binds row `row` of `c` to parameter `param`.
int BindCell(sqlite3_stmt* s, int param, const Column& c, size_t row) {
  if (c.IsNull(row)) return sqlite3_bind_null(s, param);
  switch (c.type().id) {
    case TypeId::kBool: return sqlite3_bind_int64(s, param, c.Get<uint8_t>(row) ? 1 : 0);
    case TypeId::kInt32: return sqlite3_bind_int64(s, param, c.Get<int32_t>(row));
    case TypeId::kInt64: return sqlite3_bind_int64(s, param, c.Get<int64_t>(row));
    case TypeId::kFloat: return sqlite3_bind_double(s, param, c.Get<float>(row));
    case TypeId::kDouble: return sqlite3_bind_double(s, param, c.Get<double>(row));
    case TypeId::kDecimal: {
      double v = c.type().is_wide_decimal() ? static_cast<double>(c.Get<Int128>(row))
                                            : static_cast<double>(c.Get<int64_t>(row));
      for (int i = 0; i < c.type().scale; ++i) v /= 10;
      return sqlite3_bind_double(s, param, v);
    }
    case TypeId::kString: {
      std::string_view v = c.GetString(row);
      return sqlite3_bind_text64(s, param, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    case TypeId::kBinary: {
      std::string_view v = c.GetString(row);
      return sqlite3_bind_blob64(s, param, v.data(), v.size(), SQLITE_TRANSIENT);
    }
    case TypeId::kDate: {
      std::string v = FormatDate(c.Get<int32_t>(row));
      return sqlite3_bind_text64(s, param, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    case TypeId::kTimestamp: {
      std::string v = FormatTimestamp(c.Get<int64_t>(row));
      return sqlite3_bind_text64(s, param, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }
  return sqlite3_bind_null(s, param);
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

// Creates the table from the first file's schema with the requested columns (all when
// none are named), and prepares the insert. *picks: the batch column of each table column.
Status CreateTable(sqlite3* db, const TableLoadRequest& request, const Schema& schema, const std::string& where,
                   std::vector<size_t>* picks, Statement* insert, TableLoadStats* stats) {
  std::vector<std::string> names = request.columns;
  if (names.empty()) {
    for (const Field& f : schema.fields()) names.push_back(f.name);
  }
  std::string create = "CREATE TABLE " + QuoteSqlIdentifier(request.table) + " (";
  std::string ins = "INSERT INTO " + QuoteSqlIdentifier(request.table) + " VALUES (";
  for (size_t i = 0; i < names.size(); ++i) {
    int idx = FindColumn(schema, names[i]);
    if (idx < 0) {
      return Status::SchemaMismatch(where + ": has no column '" + names[i] + "' (it has " + schema.ToString() + ")");
    }
    picks->push_back(static_cast<size_t>(idx));
    create +=
        (i ? ", " : "") + QuoteSqlIdentifier(names[i]) + " " + SqliteType(schema.field(static_cast<size_t>(idx)).type);
    ins += i ? ", ?" : "?";
    stats->column_names.push_back(names[i]);
  }
  create += ")";
  ins += ")";
  if (sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db, "creating table " + request.table);
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, ins.c_str(), -1, &s, nullptr) != SQLITE_OK) return SqliteError(db, ins);
  insert->reset(s);
  return Status::OK();
}

// An empty dataset: a table with the requested columns and no rows.
Status CreateEmptyTable(sqlite3* db, const TableLoadRequest& request, TableLoadStats* stats) {
  std::string create = "CREATE TABLE " + QuoteSqlIdentifier(request.table) + " (";
  for (size_t i = 0; i < request.columns.size(); ++i) {
    create += (i ? ", " : "") + QuoteSqlIdentifier(request.columns[i]);
  }
  if (request.columns.empty()) create += "_empty";
  create += ")";
  if (sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db, "creating table " + request.table);
  }
  stats->column_names = request.columns;
  return Status::OK();
}

// Inserts the picked columns of `in`'s rows (all of them, or those listed in *rows).
Status InsertRows(sqlite3* db, sqlite3_stmt* insert, const RecordBatch& in, const std::vector<size_t>& picks,
                  const std::vector<uint32_t>* rows, const std::string& where) {
  const size_t m = rows ? rows->size() : in.num_rows();
  for (size_t k = 0; k < m; ++k) {
    const size_t r = rows ? (*rows)[k] : k;
    for (size_t c = 0; c < picks.size(); ++c) {
      if (BindCell(insert, static_cast<int>(c + 1), in.columns[picks[c]], r) != SQLITE_OK) {
        return SqliteError(db, where + ": binding a value");
      }
    }
    if (sqlite3_step(insert) != SQLITE_DONE) return SqliteError(db, where + ": inserting a row");
    sqlite3_reset(insert);
  }
  return Status::OK();
}

}  // namespace

std::string QuoteSqlIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Result<TableLoadStats> LoadSqliteTable(sqlite3* db, const TableLoadRequest& request, FileSystem* fs) {
  TableLoadStats stats;
  bool is_dir = false;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDatasetFiles(fs, request.root, &is_dir));
  Statement insert;
  std::vector<size_t> picks;  // column index in the batch, per table column
  std::shared_ptr<const Schema> first_schema;
  RecordBatch in, mapped;
  std::vector<RowError> rejections;
  std::vector<uint32_t> kept;
  if (sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return SqliteError(db, "BEGIN");
  for (const InputFile& file : files) {
    const std::string where =
        "dataset " + request.root + (file.relative_path.empty() ? "" : ", file " + file.relative_path);
    GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(file.path));
    ReadOptions options;
    options.batch_rows = request.batch_rows;
    TypeTextAs(format, request.text_schema, &options);
    auto reader = OpenReader(file.path, format, options, fs);
    if (!reader.ok()) return reader.status().WithContext(where);
    const std::shared_ptr<const Schema> schema = (*reader)->schema();
    std::optional<Transformer> transformer;
    if (request.through) {
      auto t = Transformer::Make(request.through->transform, *schema);
      if (!t.ok()) return t.status().WithContext(where);
      transformer.emplace(std::move(t).value());
    }
    if (!first_schema) {
      first_schema = schema;
      GAGGLE_RETURN_IF_ERROR(CreateTable(db, request, *schema, where, &picks, &insert, &stats));
    } else if (*schema != *first_schema) {
      return Status::SchemaMismatch(where + ": has columns {" + schema->ToString() + "}, earlier files {" +
                                    first_schema->ToString() + "}");
    }
    while (true) {
      auto more = (*reader)->Next(&in);
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
      GAGGLE_RETURN_IF_ERROR(InsertRows(db, insert.get(), in, picks, rows, where));
      stats.rows_loaded += static_cast<int64_t>(rows ? rows->size() : n);
    }
    ++stats.files;
  }
  if (!first_schema) GAGGLE_RETURN_IF_ERROR(CreateEmptyTable(db, request, &stats));
  insert.reset();
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return SqliteError(db, "COMMIT");
  return stats;
}

}  // namespace gaggle
