// libFuzzer target: any bytes through the .tar.zst reader give entries or an error, never a
// crash, hang or out-of-bounds read; every entry's data is as long as its size says.
#include <cstddef>
#include <cstdint>

#include "audit/audit_fuzz_util.h"
#include "audit/tar_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string archive = gaggle::audit_fuzz::AsTarZst(data, size);
  (void)gaggle::ForEachEntryInMemory(
      archive,
      [](const gaggle::TarEntry& e, std::string_view bytes) {
        if (e.size != static_cast<int64_t>(bytes.size()) || e.path.empty()) __builtin_trap();
        return gaggle::Status::OK();
      },
      gaggle::audit_fuzz::FuzzLimits());
  return 0;
}
