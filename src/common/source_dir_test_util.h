// The repository's root, for tests that read checked-in data (testdata/, tests/oracle, fuzz corpora).
//
// Contract: SourceRoot() is the directory holding src/MODULES. It comes from the environment
// variable GAGGLE_SOURCE_DIR (CTest sets it), else from walking up from the test binary (the
// build directory lives inside the checkout). It is found at run time, not compiled in, so a
// test's object file is the same in every clone and ccache shares it between CI's checkouts.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace gaggle::testing {

inline std::string SourceRoot() {
  if (const char* env = std::getenv("GAGGLE_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (; !ec && !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "src" / "MODULES", ec)) return dir.string();
  }
  return std::filesystem::current_path(ec).string();
}

}  // namespace gaggle::testing
