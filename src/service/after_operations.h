// After the migration, and the evidence behind it: validating one dataset against its
// migrated output, downstream query verification, garbage collection of old data past
// its retention, the audit archive (write and verify) and the migration report.
// Verification and gc change the store (a verification record, collected cut-overs);
// the others only read it.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit/audit_archive.h"
#include "audit/migration_report.h"
#include "cutover/garbage_collector.h"
#include "service/service_context.h"
#include "validate/dataset_validator.h"
#include "verify/verification_report.h"

namespace gaggle::service {

struct ValidateRequest {
  std::string old_path, new_path;
  std::string spec_path;
  ValidateOptions options;
  bool save = false;    // keep the result in the store (needs ctx.store)
  std::string dataset;  // the id to keep it under (default: old_path)
};

// The comparison's verdict is in the result (passed()); an error means it could not compare.
Result<ValidationResult> ValidateDataset(const ServiceContext& ctx, const ValidateRequest& request);

struct VerifyRequest {
  std::string migration;
  std::string spec_path;  // default: the spec the run was started with
  std::optional<int64_t> sample;
  std::optional<uint64_t> seed;
  std::function<void(const std::string&)> progress;  // a line per query checked
};

Result<VerificationReport> VerifyDownstream(const ServiceContext& ctx, const VerifyRequest& request);

struct GcResult {
  bool dry_run = false;
  GcReport report;
  nlohmann::json ToJson() const;
};

Result<GcResult> CollectOldData(const ServiceContext& ctx, const GcOptions& options);

struct ArchiveRequest {
  std::string migration;
  std::string out;        // FILE.tar.zst
  std::string spec_path;  // default: the run's
};

struct ArchiveResult {
  std::string out;
  int64_t files = 0;
  int64_t bytes = 0;  // before compression
  nlohmann::json ToJson() const;
};

Result<ArchiveResult> WriteArchive(const ServiceContext& ctx, const ArchiveRequest& request);
Result<ArchiveVerifyReport> VerifyArchive(const ServiceContext& ctx, const std::string& path);

Result<MigrationReport> BuildReport(const ServiceContext& ctx, const std::string& migration);

}  // namespace gaggle::service
