#include "verify/duckdb_api.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace gaggle {
namespace {

constexpr const char* kPinned = "v" GAGGLE_DUCKDB_VERSION;

struct Loaded {
  DuckDbApi api;
  Status status = Status::OK();
};

Status Fail(const std::string& why) {
  return Status::Unsupported(
      "DuckDB (the downstream verifier's engine) cannot be used: " + why +
      "; run scripts/fetch-duckdb.sh (make deps), or set GAGGLE_DUCKDB_LIBRARY to libduckdb.so " +
      GAGGLE_DUCKDB_VERSION);
}

Status Load(DuckDbApi* api) {
  const char* path = std::getenv("GAGGLE_DUCKDB_LIBRARY");
  const std::string library = path != nullptr && *path != '\0' ? path : "libduckdb.so";
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Fail(std::string("dlopen ") + library + ": " + ::dlerror());
#define GAGGLE_DUCKDB_RESOLVE(name)                                        \
  api->name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name)); \
  if (api->name == nullptr) return Fail(library + " has no function " + std::string(#name));
  GAGGLE_DUCKDB_FUNCTIONS(GAGGLE_DUCKDB_RESOLVE)
#undef GAGGLE_DUCKDB_RESOLVE
  const std::string version = api->duckdb_library_version();
  if (version != kPinned) return Fail(library + " is DuckDB " + version + ", gaggle is built against " + kPinned);
  return Status::OK();  // the handle stays open for the life of the process
}

Loaded& Once() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] { loaded.status = Load(&loaded.api); });
  return loaded;
}

}  // namespace

Result<const DuckDbApi*> LoadDuckDb() {
  Loaded& loaded = Once();
  if (!loaded.status.ok()) return loaded.status;
  return &loaded.api;
}

const DuckDbApi& DuckDb() {
  Loaded& loaded = Once();
  if (!loaded.status.ok()) {
    std::fprintf(stderr, "gaggle: internal error: DuckDB used before it was loaded: %s\n",
                 loaded.status.ToString().c_str());
    std::abort();
  }
  return loaded.api;
}

}  // namespace gaggle
