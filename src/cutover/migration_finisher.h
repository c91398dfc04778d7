// The end of a migration: downstream query verification and cut-over.
//
// VerifyMigration checks the consumers' queries against the migration's validated
// datasets (verify/query_verifier.h), stores the result (StateStore::SaveVerification)
// and saves each affected consumer's patch under <logs>/<migration>/patches/.
//
// FinishMigration is the final gate of `gaggle run`. It cuts over the validated
// datasets not cut over yet (cutover/cut_over.h) once verification passes; it does
// not verify again when there is nothing new to cut over, when spec.verify.enabled is
// false, or when an operator approved the final gate (`gaggle approve --final`) after
// the last failed verification. A failed verification cuts over nothing.
// Thread-safety: one per migration at a time (the caller holds the run lease).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "fleet/gate_pause.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"
#include "verify/verification_report.h"

namespace gaggle {

struct FinishOptions {
  std::string actor = "gaggle";
  std::string logs_dir;           // patches go to <logs_dir>/<migration>/patches/; not saved when empty
  std::optional<int64_t> sample;  // overrides spec.verify.sample
  std::optional<uint64_t> seed;   // overrides spec.verify.seed
  std::function<void(const std::string&)> progress;  // a line per query checked
  FileSystemResolver* resolver = nullptr;            // for object-store outputs (cut_over.h)
};

Result<VerificationReport> VerifyMigration(StateStore* store, const MigrationSpec& spec, const FinishOptions& options);

struct FinishResult {
  bool passed = false;
  std::string summary;    // one line
  nlohmann::json detail;  // verification, cut-over and per-consumer patches, for notifications
};

Result<FinishResult> FinishMigration(StateStore* store, const MigrationSpec& spec, const FinishOptions& options);

}  // namespace gaggle
