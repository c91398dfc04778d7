#include "service/after_operations.h"

#include "agent/object_output_committer.h"
#include "audit/audit_collector.h"
#include "cutover/migration_finisher.h"
#include "service/spec_source.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"

namespace gaggle::service {
namespace {

nlohmann::json GcItemsJson(const std::vector<GcItem>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const GcItem& i : items) {
    out.push_back({{"migration", i.migration},
                   {"dataset", i.dataset},
                   {"path", i.path},
                   {"retain_until", i.retain_until},
                   {"files", i.files},
                   {"bytes", i.bytes},
                   {"reason", i.reason},
                   {"left", i.left}});
  }
  return out;
}

// One side of a validation: an s3:// or gs:// location is read from its object store, and
// an output gaggle committed there through the attempt its manifest names.
Result<ResolvedLocation> ValidationSide(const ServiceContext& ctx, const std::string& location, bool is_output) {
  if (!IsObjectStoreUri(location)) return ResolvedLocation{ctx.fs, location};
  static FileSystemResolver* environment = new FileSystemResolver();
  FileSystemResolver* resolver = ctx.resolver ? ctx.resolver : environment;
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation side, resolver->Resolve(location));
  if (!is_output) return side;
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(side.path));
  GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, resolver->ObjectStore(uri.scheme));
  Result<CommittedObjectOutput> committed = LoadCommittedObjectOutput(store, side.path);
  if (committed.ok()) {
    side.path = committed->root;
  } else if (committed.status().code() != StatusCode::kNotFound) {
    return committed.status();  // a commit that does not check out is not read as the dataset
  }
  return side;
}

}  // namespace

Result<ValidationResult> ValidateDataset(const ServiceContext& ctx, const ValidateRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec spec, LoadSpecAt(ctx, request.spec_path));
  ValidateOptions options = request.options;
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation old_side, ValidationSide(ctx, request.old_path, false));
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation new_side, ValidationSide(ctx, request.new_path, true));
  if (options.fs == nullptr) options.fs = old_side.fs;
  if (options.new_fs == nullptr && new_side.fs != ctx.fs) options.new_fs = new_side.fs;
  GAGGLE_ASSIGN_OR_RETURN(ValidationResult result,
                          DatasetValidator(spec, options).Validate(old_side.path, new_side.path));
  if (!request.save) return result;
  if (ctx.store == nullptr) return Status::InvalidArgument("no state store to keep the validation in");
  ValidationRecord record;
  record.migration = spec.name;
  record.dataset_id = request.dataset.empty() ? request.old_path : request.dataset;
  record.passed = result.passed();
  record.summary = record.passed ? "" : result.FailureSummary();
  record.report = result.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  GAGGLE_RETURN_IF_ERROR(ctx.store->SaveValidation(record));
  return result;
}

Result<VerificationReport> VerifyDownstream(const ServiceContext& ctx, const VerifyRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec spec, SpecOfRun(ctx, request.migration, request.spec_path));
  FinishOptions o;
  o.actor = ctx.actor;
  o.logs_dir = ctx.artifacts;
  o.sample = request.sample;
  o.seed = request.seed;
  o.progress = request.progress;
  o.resolver = ctx.resolver;  // data in object storage (--s3-endpoint)
  GAGGLE_ASSIGN_OR_RETURN(VerificationReport report, VerifyMigration(ctx.store, spec, o));
  GAGGLE_RETURN_IF_ERROR(PublishArtifacts(ctx, spec.name));  // the patches it saved
  return report;
}

nlohmann::json GcResult::ToJson() const {
  return {{"dry_run", dry_run},
          {"files", report.files},
          {"bytes", report.bytes},
          {"deleted", GcItemsJson(report.deleted)},
          {"kept", GcItemsJson(report.kept)}};
}

Result<GcResult> CollectOldData(const ServiceContext& ctx, const GcOptions& options) {
  GcOptions o = options;
  o.actor = ctx.actor;
  if (o.resolver == nullptr) o.resolver = ctx.resolver;
  GcResult out;
  out.dry_run = o.dry_run;
  GAGGLE_ASSIGN_OR_RETURN(out.report, CollectGarbage(ctx.store, o));
  return out;
}

nlohmann::json ArchiveResult::ToJson() const { return {{"out", out}, {"files", files}, {"bytes", bytes}}; }

Result<ArchiveResult> WriteArchive(const ServiceContext& ctx, const ArchiveRequest& request) {
  GAGGLE_RETURN_IF_ERROR(FetchArtifacts(ctx, request.migration));
  AuditCollectOptions o;
  o.logs_dir = ctx.artifacts;
  o.spec_path = request.spec_path;
  o.resolver = ctx.resolver;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<AuditFile> files, CollectAuditFiles(ctx.store, request.migration, o));
  GAGGLE_RETURN_IF_ERROR(WriteAuditArchive(request.out, files, ctx.fs));
  ArchiveResult out;
  out.out = request.out;
  out.files = static_cast<int64_t>(files.size());
  for (const AuditFile& f : files) out.bytes += static_cast<int64_t>(f.bytes());
  return out;
}

Result<ArchiveVerifyReport> VerifyArchive(const ServiceContext& ctx, const std::string& path) {
  return VerifyAuditArchive(path, ctx.fs);
}

Result<MigrationReport> BuildReport(const ServiceContext& ctx, const std::string& migration) {
  return MigrationReport::Build(ctx.store, migration);
}

}  // namespace gaggle::service
