// libFuzzer target: any bytes through the migration spec parser (and, when they
// parse, the canonical rendering and hash) must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/migration_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto spec = gaggle::ParseMigrationSpec(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (spec.ok() && spec->hash != gaggle::SpecHash(*spec)) __builtin_trap();
  return 0;
}
