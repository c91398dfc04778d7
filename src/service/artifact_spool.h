// ArtifactSpool: an artefact location in object storage for the lifetime of one process
// (a command, a server): the local spool that ServiceContext::artifacts names while the
// process writes, and the ArtifactMirror (storage/artifact_mirror.h) that publishes it.
// When destroyed it publishes every spool file that changed and removes the spool; when
// publishing fails it keeps the spool and says where on stderr, so nothing written is lost.
// Thread-safety: the mirror may be used from any thread; destroy the spool after every
// writer into it has stopped.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "service/service_context.h"
#include "storage/artifact_mirror.h"
#include "storage/file_system_resolver.h"

namespace gaggle::service {

class ArtifactSpool {
 public:
  ~ArtifactSpool();
  ArtifactMirror* mirror() const { return mirror_.get(); }

 private:
  friend Result<std::unique_ptr<ArtifactSpool>> OpenArtifacts(const std::string&, ServiceContext*);
  ArtifactSpool() = default;
  std::unique_ptr<FileSystemResolver> own_resolver_;  // when the context brought none
  std::unique_ptr<ArtifactMirror> mirror_;
};

// Sets ctx->artifacts to `location` and returns nullptr for a directory; for s3:// and
// gs:// creates a spool, sets ctx->artifacts to it and ctx->mirror to its mirror, and
// returns its owner. The object store comes from ctx->resolver (else one configured from
// the environment, owned by the spool).
Result<std::unique_ptr<ArtifactSpool>> OpenArtifacts(const std::string& location, ServiceContext* ctx);

}  // namespace gaggle::service
