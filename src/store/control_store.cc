#include "store/control_store.h"

#include "store/postgres_control_store.h"
#include "store/postgres_url.h"
#include "store/sqlite_control_store.h"

namespace gaggle {

Result<std::unique_ptr<ControlStore>> OpenControlStore(const std::string& location) {
  if (IsPostgresUrl(location)) {
    GAGGLE_ASSIGN_OR_RETURN(auto store, PostgresControlStore::Open(location, {}));
    return std::unique_ptr<ControlStore>(std::move(store));
  }
  GAGGLE_ASSIGN_OR_RETURN(auto store, SqliteControlStore::Open(location));
  return std::unique_ptr<ControlStore>(std::move(store));
}

}  // namespace gaggle
