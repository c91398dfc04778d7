#include "store/sqlite_control_schema.h"

namespace gaggle {

// api_tokens: one row per token ever created; only the secret's SHA-256 is kept. A name
// is unique among valid tokens (a revoked name can be reused).
// approval_links: one row per approval a gate pause asked for.
// tasks_by_wave: the API's wave filter in plan order without scanning other waves.
// IF NOT EXISTS: applying it again to a file whose recorded versions were rolled back
// (as the store's upgrade tests do to simulate an older file) changes nothing.
const char* ControlSchemaSql() {
  return R"sql(
CREATE TABLE IF NOT EXISTS api_tokens (
  token_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT '',
  revoked_by TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_valid_name ON api_tokens (name) WHERE revoked_at = '';
CREATE TABLE IF NOT EXISTS approval_links (
  link_id TEXT NOT NULL PRIMARY KEY,
  migration TEXT NOT NULL,
  stage INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  gate_reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_at TEXT NOT NULL DEFAULT '',
  used_by TEXT NOT NULL DEFAULT '',
  use_reason TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS approval_links_by_migration ON approval_links (migration, created_at);
CREATE INDEX IF NOT EXISTS tasks_by_wave ON tasks (migration, wave, stage, ordinal);
)sql";
}

}  // namespace gaggle
