// libFuzzer target: any bytes through the audit archive verifier (reader, MANIFEST.sha256
// parser, events.jsonl chain check) give a report or an error, never a crash or hang.
#include <cstddef>
#include <cstdint>

#include "audit/audit_archive.h"
#include "audit/audit_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string archive = gaggle::audit_fuzz::AsTarZst(data, size);
  auto report = gaggle::VerifyAuditArchiveInMemory(archive, gaggle::audit_fuzz::FuzzLimits());
  if (report.ok() && report->ok() && report->files < 0) __builtin_trap();
  return 0;
}
