#include "verify/duckdb_engine.h"

#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

// Frees a duckdb_result on every path.
struct ResultGuard {
  duckdb_result r{};
  ~ResultGuard() { DuckDb().duckdb_destroy_result(&r); }
};

// Interrupts `conn` if the query outlives `limit`; stopped when the query returns.
class Watchdog {
 public:
  Watchdog(DuckDbConnection* conn, std::chrono::milliseconds limit)
      : thread_([this, conn, limit] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            fired_ = true;
            conn->Interrupt();
          }
        }) {}
  ~Watchdog() { Stop(); }
  bool Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// A result column's type as read from its vectors.
struct ColumnReader {
  duckdb_type type = DUCKDB_TYPE_INVALID;
  duckdb_type decimal_storage = DUCKDB_TYPE_INVALID;
  double decimal_divisor = 1;
};

// True for the types ReadCell reads from vector memory; others are cast to text by SQL first.
bool IsNative(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: return true;
    default: return false;
  }
}

double HugeToDouble(duckdb_hugeint h) { return static_cast<double>(h.upper) * 18446744073709551616.0 + h.lower; }

SqlValue ReadCell(const ColumnReader& c, void* data, idx_t i) {
  SqlValue v;
  auto integer = [&](int64_t x) {
    v.kind = SqlValue::Kind::kInteger;
    v.integer = x;
  };
  auto real = [&](double x) {
    v.kind = SqlValue::Kind::kReal;
    v.real = x;
  };
  switch (c.type) {
    case DUCKDB_TYPE_BOOLEAN: integer(static_cast<const bool*>(data)[i] ? 1 : 0); break;
    case DUCKDB_TYPE_TINYINT: integer(static_cast<const int8_t*>(data)[i]); break;
    case DUCKDB_TYPE_SMALLINT: integer(static_cast<const int16_t*>(data)[i]); break;
    case DUCKDB_TYPE_INTEGER: integer(static_cast<const int32_t*>(data)[i]); break;
    case DUCKDB_TYPE_BIGINT: integer(static_cast<const int64_t*>(data)[i]); break;
    case DUCKDB_TYPE_UTINYINT: integer(static_cast<const uint8_t*>(data)[i]); break;
    case DUCKDB_TYPE_USMALLINT: integer(static_cast<const uint16_t*>(data)[i]); break;
    case DUCKDB_TYPE_UINTEGER: integer(static_cast<const uint32_t*>(data)[i]); break;
    case DUCKDB_TYPE_UBIGINT: {
      const uint64_t x = static_cast<const uint64_t*>(data)[i];
      if (x <= static_cast<uint64_t>(INT64_MAX)) {
        integer(static_cast<int64_t>(x));
      } else {
        real(static_cast<double>(x));
      }
      break;
    }
    case DUCKDB_TYPE_HUGEINT: real(HugeToDouble(static_cast<const duckdb_hugeint*>(data)[i])); break;
    case DUCKDB_TYPE_FLOAT: real(static_cast<const float*>(data)[i]); break;
    case DUCKDB_TYPE_DOUBLE: real(static_cast<const double*>(data)[i]); break;
    case DUCKDB_TYPE_DECIMAL: {
      double x = 0;
      switch (c.decimal_storage) {
        case DUCKDB_TYPE_SMALLINT: x = static_cast<const int16_t*>(data)[i]; break;
        case DUCKDB_TYPE_INTEGER: x = static_cast<const int32_t*>(data)[i]; break;
        case DUCKDB_TYPE_BIGINT: x = static_cast<double>(static_cast<const int64_t*>(data)[i]); break;
        default: x = HugeToDouble(static_cast<const duckdb_hugeint*>(data)[i]); break;
      }
      real(x / c.decimal_divisor);
      break;
    }
    case DUCKDB_TYPE_DATE:
      v.kind = SqlValue::Kind::kText;
      v.text = FormatDate(static_cast<const int32_t*>(data)[i]);
      break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      v.kind = SqlValue::Kind::kText;
      v.text = FormatTimestamp(static_cast<const int64_t*>(data)[i]);
      break;
    default: {  // VARCHAR, BLOB (and the text other types were cast to)
      duckdb_string_t* s = static_cast<duckdb_string_t*>(data) + i;
      v.kind = c.type == DUCKDB_TYPE_BLOB ? SqlValue::Kind::kBlob : SqlValue::Kind::kText;
      v.text.assign(DuckDb().duckdb_string_t_data(s), DuckDb().duckdb_string_t_length(*s));
      break;
    }
  }
  return v;
}

// Strips trailing whitespace and semicolons so a query can be wrapped as a subquery.
std::string AsSubquery(const std::string& sql) {
  size_t end = sql.size();
  while (end > 0 && (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';')) --end;
  return sql.substr(0, end);
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

std::string QuoteSqlString(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

Status DuckDbConnection::Execute(const std::string& sql) {
  ResultGuard g;
  if (DuckDb().duckdb_query(conn_, sql.c_str(), &g.r) != DuckDBSuccess) {
    const char* e = DuckDb().duckdb_result_error(&g.r);
    return Status::InvalidArgument(std::string("DuckDB: ") + (e ? e : "unknown error"));
  }
  return Status::OK();
}

Result<QueryResult> DuckDbConnection::Query(const std::string& sql, size_t max_rows,
                                            std::chrono::milliseconds time_limit) {
  ResultGuard g;
  {
    Watchdog watchdog(this, time_limit);
    const duckdb_state state = DuckDb().duckdb_query(conn_, sql.c_str(), &g.r);
    if (watchdog.Stop()) {
      return Status::Timeout("the query ran longer than " + std::to_string(time_limit.count() / 1000) + " s");
    }
    if (state != DuckDBSuccess) {
      const char* e = DuckDb().duckdb_result_error(&g.r);
      return Status::InvalidArgument(e ? e : "unknown DuckDB error");
    }
  }
  const idx_t cols = DuckDb().duckdb_column_count(&g.r);
  QueryResult out;
  std::vector<ColumnReader> readers(cols);
  std::string recast;  // SELECT #1, CAST(#2 AS VARCHAR), ... when some type is not read natively
  bool needs_recast = false;
  for (idx_t c = 0; c < cols; ++c) {
    out.columns.emplace_back(DuckDb().duckdb_column_name(&g.r, c));
    readers[c].type = DuckDb().duckdb_column_type(&g.r, c);
    const std::string ref = "#" + std::to_string(c + 1);
    recast += (c ? ", " : "") + (IsNative(readers[c].type) ? ref : "CAST(" + ref + " AS VARCHAR)");
    needs_recast |= !IsNative(readers[c].type);
    if (readers[c].type == DUCKDB_TYPE_DECIMAL) {
      duckdb_logical_type t = DuckDb().duckdb_column_logical_type(&g.r, c);
      readers[c].decimal_storage = DuckDb().duckdb_decimal_internal_type(t);
      for (uint8_t k = DuckDb().duckdb_decimal_scale(t); k > 0; --k) readers[c].decimal_divisor *= 10;
      DuckDb().duckdb_destroy_logical_type(&t);
    }
  }
  if (needs_recast) {
    // Intervals, lists, structs, times...: compared by DuckDB's text rendering.
    return Query("SELECT " + recast + " FROM (" + AsSubquery(sql) + "\n) AS gaggle_answer", max_rows, time_limit);
  }
  while (true) {
    duckdb_data_chunk chunk = DuckDb().duckdb_fetch_chunk(g.r);
    if (!chunk) break;
    const idx_t n = DuckDb().duckdb_data_chunk_get_size(chunk);
    if (out.rows.size() + n > max_rows) {
      DuckDb().duckdb_destroy_data_chunk(&chunk);
      return Status::InvalidArgument("the answer has more rows than the limit of " + std::to_string(max_rows));
    }
    const size_t first = out.rows.size();
    out.rows.resize(first + n, SqlRow(cols));
    for (idx_t c = 0; c < cols; ++c) {
      duckdb_vector vec = DuckDb().duckdb_data_chunk_get_vector(chunk, c);
      void* data = DuckDb().duckdb_vector_get_data(vec);
      uint64_t* validity = DuckDb().duckdb_vector_get_validity(vec);
      for (idx_t i = 0; i < n; ++i) {
        if (validity && !DuckDb().duckdb_validity_row_is_valid(validity, i)) continue;  // NULL
        out.rows[first + i][c] = ReadCell(readers[c], data, i);
      }
    }
    DuckDb().duckdb_destroy_data_chunk(&chunk);
  }
  return out;
}

Result<std::unique_ptr<DuckDbEngine>> DuckDbEngine::Open(const DuckDbOptions& options) {
  GAGGLE_RETURN_IF_ERROR(LoadDuckDb().status());
  duckdb_config config = nullptr;
  if (DuckDb().duckdb_create_config(&config) != DuckDBSuccess)
    return Status::Internal("DuckDB: cannot create a config");
  auto set = [&](const char* name, const std::string& value) -> Status {
    if (value.empty() || DuckDb().duckdb_set_config(config, name, value.c_str()) == DuckDBSuccess) return Status::OK();
    return Status::InvalidArgument("DuckDB rejects " + std::string(name) + " = '" + value + "'");
  };
  Status st = set("memory_limit", options.memory_limit);
  if (st.ok()) st = set("temp_directory", options.temp_directory);
  if (st.ok() && options.threads > 0) st = set("threads", std::to_string(options.threads));
  // Verification reads only the files it is given: no extension downloads.
  if (st.ok()) st = set("autoinstall_known_extensions", "false");
  if (st.ok()) st = set("autoload_known_extensions", "true");
  if (!st.ok()) {
    DuckDb().duckdb_destroy_config(&config);
    return st;
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  const duckdb_state state = DuckDb().duckdb_open_ext(nullptr, &db, config, &error);
  DuckDb().duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string msg = error ? error : "unknown error";
    DuckDb().duckdb_free(error);
    return Status::Internal("DuckDB: cannot open an in-memory database: " + msg);
  }
  auto engine = std::unique_ptr<DuckDbEngine>(new DuckDbEngine(db));
  // The time zone is ICU's setting: set once the built-in extensions are loaded.
  GAGGLE_ASSIGN_OR_RETURN(auto conn, engine->Connect());
  GAGGLE_RETURN_IF_ERROR(conn->Execute("SET GLOBAL TimeZone = " + QuoteSqlString(options.time_zone)));
  return engine;
}

Result<std::unique_ptr<DuckDbConnection>> DuckDbEngine::Connect() {
  duckdb_connection c = nullptr;
  if (DuckDb().duckdb_connect(db_, &c) != DuckDBSuccess) return Status::Internal("DuckDB: cannot open a connection");
  return std::make_unique<DuckDbConnection>(c);
}

std::string DuckDbEngine::LibraryVersion() {
  auto api = LoadDuckDb();
  return api.ok() ? (*api)->duckdb_library_version() : api.status().message();
}

}  // namespace gaggle
