// libFuzzer target: any bytes as a dbt sources YAML file must never crash or throw; every
// source table read has a source and a table name.
#include <cstddef>
#include <cstdint>
#include <string>

#include "verify/dbt_project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto tables = gaggle::ParseDbtSources(text, "sources.yml");
  if (!tables.ok()) return 0;
  for (const gaggle::DbtSourceTable& t : *tables) {
    if (t.source.empty() || t.table.empty() || t.identifier.empty()) __builtin_trap();
  }
  return 0;
}
