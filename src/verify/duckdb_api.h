// DuckDB's C API, loaded when the verifier first needs it rather than at every start of gaggle.
//
// Linking libduckdb.so made every gaggle process pay for its relocations and static
// initialisers (about 40 million instructions, three times a plain start) although only the
// downstream verifier uses it. DuckDb() opens the library once per process (dlopen, found
// through the executable's run path to third_party/duckdb/lib, or GAGGLE_DUCKDB_LIBRARY),
// checks that its version is the one pinned in third_party/duckdb.lock, and returns a table
// of the C functions gaggle calls, with the names they have in duckdb.h.
// LoadDuckDb() reports why the library cannot be used; DuckDb() may be called only after
// LoadDuckDb() succeeded (an engine exists), and aborts otherwise.
// Thread-safety: loading happens once (std::call_once); the table is immutable after.
#pragma once

#include <duckdb.h>

#include "common/status.h"

namespace gaggle {

#define GAGGLE_DUCKDB_FUNCTIONS(X)           \
  X(duckdb_append_data_chunk)                \
  X(duckdb_appender_column_type)             \
  X(duckdb_appender_create)                  \
  X(duckdb_appender_destroy)                 \
  X(duckdb_appender_error)                   \
  X(duckdb_appender_flush)                   \
  X(duckdb_close)                            \
  X(duckdb_column_count)                     \
  X(duckdb_column_logical_type)              \
  X(duckdb_column_name)                      \
  X(duckdb_column_type)                      \
  X(duckdb_connect)                          \
  X(duckdb_create_config)                    \
  X(duckdb_create_data_chunk)                \
  X(duckdb_data_chunk_get_size)              \
  X(duckdb_data_chunk_get_vector)            \
  X(duckdb_data_chunk_reset)                 \
  X(duckdb_data_chunk_set_size)              \
  X(duckdb_decimal_internal_type)            \
  X(duckdb_decimal_scale)                    \
  X(duckdb_destroy_config)                   \
  X(duckdb_destroy_data_chunk)               \
  X(duckdb_destroy_logical_type)             \
  X(duckdb_destroy_result)                   \
  X(duckdb_disconnect)                       \
  X(duckdb_fetch_chunk)                      \
  X(duckdb_free)                             \
  X(duckdb_interrupt)                        \
  X(duckdb_library_version)                  \
  X(duckdb_open_ext)                         \
  X(duckdb_query)                            \
  X(duckdb_result_error)                     \
  X(duckdb_set_config)                       \
  X(duckdb_string_t_data)                    \
  X(duckdb_string_t_length)                  \
  X(duckdb_validity_row_is_valid)            \
  X(duckdb_validity_set_row_invalid)         \
  X(duckdb_vector_assign_string_element_len) \
  X(duckdb_vector_ensure_validity_writable)  \
  X(duckdb_vector_get_data)                  \
  X(duckdb_vector_get_validity)              \
  X(duckdb_vector_size)

struct DuckDbApi {
#define GAGGLE_DUCKDB_MEMBER(name) decltype(&::name) name = nullptr;
  GAGGLE_DUCKDB_FUNCTIONS(GAGGLE_DUCKDB_MEMBER)
#undef GAGGLE_DUCKDB_MEMBER
};

// The loaded API, or why DuckDB cannot be used here (missing library, wrong version).
Result<const DuckDbApi*> LoadDuckDb();
// The loaded API; only after LoadDuckDb() succeeded.
const DuckDbApi& DuckDb();

}  // namespace gaggle
