#include "service/artifact_spool.h"

#include <iostream>

#include "storage/object_uri.h"

namespace gaggle::service {

ArtifactSpool::~ArtifactSpool() {
  auto published = mirror_->UploadChanged();
  if (!published.ok()) {
    std::cerr << "gaggle: warning: artefacts not all published to " << mirror_->remote() << ": "
              << published.status().ToString() << "; they stay in " << mirror_->spool() << "\n";
    return;
  }
  Status removed = mirror_->RemoveSpool();
  if (!removed.ok()) std::cerr << "gaggle: warning: " << removed.ToString() << "\n";
}

Result<std::unique_ptr<ArtifactSpool>> OpenArtifacts(const std::string& location, ServiceContext* ctx) {
  if (!IsObjectStoreUri(location)) {
    ctx->artifacts = location;
    ctx->mirror = nullptr;
    return std::unique_ptr<ArtifactSpool>();
  }
  std::unique_ptr<ArtifactSpool> spool(new ArtifactSpool());
  FileSystemResolver* resolver = ctx->resolver;
  if (resolver == nullptr) {
    spool->own_resolver_ = std::make_unique<FileSystemResolver>();
    resolver = spool->own_resolver_.get();
  }
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation where, resolver->Resolve(location));
  GAGGLE_ASSIGN_OR_RETURN(std::string dir, ArtifactMirror::MakeSpoolDirectory());
  spool->mirror_ = std::make_unique<ArtifactMirror>(location, where.fs, dir);
  ctx->artifacts = dir;
  ctx->mirror = spool->mirror_.get();
  return spool;
}

}  // namespace gaggle::service
