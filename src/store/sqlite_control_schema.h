// Schema migration 8 of the SQLite state file: the control plane's tables (API tokens,
// approval links) and the index the filtered task pages use. Appended to the list in
// sqlite_schema.cc; kept in its own file so the control plane's schema reads in one place.
#pragma once

namespace gaggle {

inline constexpr int kControlSchemaVersion = 8;
const char* ControlSchemaSql();

}  // namespace gaggle
