// Output ownership: where an agent may write. Checked before an attempt starts and again
// right before its output replaces anything (the commit), so a location that changed
// in between (a symlink swapped in, data copied there) is refused, not overwritten.
// The rules (docs/safety.md):
//   - the output is an absolute location, not a system location (the root, /tmp, /home,
//     a home directory, a mount point: common/location_identity.h);
//   - it neither equals, contains nor lies inside its input, compared with symlinks
//     resolved;
//   - it is absent, an empty directory, or a directory gaggle created (it holds gaggle's
//     manifest); it is never a symlink, and never a file; nor is its work directory
//     OUT.gaggle-work (agent/output_committer.h), where staging happens;
//   - a staged output holds no symlink that leads outside it (an agent passing a
//     partition through by symlink would make the old data reachable through the new).
// Refusals are InvalidArgument (permanent: a retry cannot fix them), naming the paths.
// Thread-safety: stateless; reads the file system.
#pragma once

#include <string>

#include "common/status.h"

namespace gaggle {

Status CheckOutputOwnership(const std::string& output_path, const std::string& input_path);

Status CheckStagedOutputSymlinks(const std::string& staging_dir);

}  // namespace gaggle
