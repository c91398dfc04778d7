#include "service/spec_source.h"

#include "storage/file_system_resolver.h"
#include "storage/object_uri.h"

namespace gaggle::service {
namespace {

// A spec is a few KB; anything absurd is refused rather than read into memory.
constexpr size_t kMaxSpecBytes = size_t{16} << 20;

Result<ResolvedLocation> Locate(const ServiceContext& ctx, const std::string& path) {
  if (!IsObjectStoreUri(path)) return ResolvedLocation{FileSystem::Default(), path};
  static FileSystemResolver* environment = new FileSystemResolver();
  return (ctx.resolver ? ctx.resolver : environment)->Resolve(path);
}

}  // namespace

Result<std::string> ReadSpecText(const ServiceContext& ctx, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation where, Locate(ctx, path));
  GAGGLE_ASSIGN_OR_RETURN(auto file, where.fs->OpenSequential(where.path));
  std::string text;
  std::string buf(64 << 10, '\0');
  for (;;) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file->Read(buf.size(), reinterpret_cast<uint8_t*>(buf.data())));
    if (n == 0) break;
    text.append(buf.data(), n);
    if (text.size() > kMaxSpecBytes) return Status::InvalidArgument(path + ": spec file is larger than 16 MiB");
  }
  return text;
}

Result<MigrationSpec> LoadSpecAt(const ServiceContext& ctx, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(std::string text, ReadSpecText(ctx, path));
  return ParseMigrationSpec(text, path);
}

Result<MigrationSpec> SpecOfRun(const ServiceContext& ctx, const std::string& migration,
                                const std::string& override_path) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, migration));
  const std::string path = override_path.empty() ? run.spec_path : override_path;
  auto spec = LoadSpecAt(ctx, path);
  if (!spec.ok()) return spec.status().WithContext("the spec of '" + migration + "' (pass another with --spec)");
  if (spec->name != migration) {
    return Status::InvalidArgument(path + " is the spec of '" + spec->name + "', not '" + migration + "'");
  }
  return spec;
}

}  // namespace gaggle::service
