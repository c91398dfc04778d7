// Dataset locations: turning a catalog URI into something storage can open. Only
// local storage exists today (file:///abs/path, or a plain path); other schemes
// (s3://, gs://...) are reported as Unsupported, which is where an object-store
// FileSystem will slot in.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "common/status.h"

namespace gaggle {

// The local path of a dataset URI, without a trailing '/'. InvalidArgument for a
// relative file:// URI or an empty location; Unsupported for other schemes.
Result<std::string> LocalPathFromUri(const std::string& uri);

}  // namespace gaggle
