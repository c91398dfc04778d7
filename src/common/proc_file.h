// Reading a file under /proc that may vanish while it is read.
//
// Contract: ReadProcFile returns the file's bytes, or "" when it cannot be opened or read.
// It never throws: a process that exits between open and read makes read() fail with
// ESRCH, which std::ifstream turns into an exception (std::__ios_failure from
// basic_filebuf::underflow) that nothing above expects.
// Thread-safety: stateless.
#pragma once

#include <string>

namespace gaggle {

std::string ReadProcFile(const std::string& path);

}  // namespace gaggle
