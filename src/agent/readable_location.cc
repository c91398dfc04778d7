#include "agent/readable_location.h"

#include "agent/object_output_committer.h"
#include "common/dataset_location.h"
#include "storage/object_uri.h"

namespace gaggle {

Result<ReadableLocation> ResolveReadableLocation(FileSystemResolver* resolver, const std::string& uri,
                                                 bool committed_only, FileSystem* local) {
  ReadableLocation out;
  if (!IsObjectStoreUri(uri)) {
    out.fs = local;
    GAGGLE_ASSIGN_OR_RETURN(out.root, LocalPathFromUri(uri));
    return out;
  }
  static FileSystemResolver* environment = new FileSystemResolver();
  if (resolver == nullptr) resolver = environment;
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri parsed, ParseObjectUri(uri));
  GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, resolver->ObjectStore(parsed.scheme));
  out.fs = store;
  Result<CommittedObjectOutput> committed = LoadCommittedObjectOutput(store, parsed.ToString());
  if (committed.ok()) {
    out.root = committed->root;
    out.attempt = committed->attempt;
    return out;
  }
  if (committed.status().code() != StatusCode::kNotFound || committed_only) return committed.status();
  out.root = parsed.ToString();
  return out;
}

}  // namespace gaggle
