// ReadableLocation: where a reader finds the data of a dataset named by its location.
//
// ResolveReadableLocation(resolver, uri):
//   a local path or file:// URI   the local file system and the path
//   s3:// or gs:// holding a gaggle commit (URI/_gaggle_manifest.json)
//                                 the object store and the committed attempt's prefix, trusted
//                                 only as LoadCommittedObjectOutput trusts it: a commit that
//                                 does not check out is an error, never read as the dataset
//   s3:// or gs:// without one    the object store and the URI itself (data gaggle did not
//                                 write, such as a source)
// With `committed_only`, a location on an object store without a commit is NotFound: the
// way to read the output of a migration, which is the dataset only once committed.
// Thread-safety: as the resolver (Resolve may be called concurrently).
#pragma once

#include <string>

#include "common/file_system.h"
#include "common/status.h"
#include "storage/file_system_resolver.h"

namespace gaggle {

struct ReadableLocation {
  FileSystem* fs = nullptr;
  std::string root;     // the path to give fs: a file or a directory (prefix) of data files
  std::string attempt;  // the committed attempt's ID; empty when not read through a commit
};

// `resolver` null: one built from the environment (endpoint, region, credentials).
Result<ReadableLocation> ResolveReadableLocation(FileSystemResolver* resolver, const std::string& uri,
                                                 bool committed_only = false,
                                                 FileSystem* local = FileSystem::Default());

}  // namespace gaggle
