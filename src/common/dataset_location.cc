#include "common/dataset_location.h"

namespace gaggle {

Result<std::string> LocalPathFromUri(const std::string& uri) {
  std::string path;
  if (uri.rfind("file://", 0) == 0) {
    path = uri.substr(7);
    if (path.empty() || path[0] != '/') {
      return Status::InvalidArgument("URI '" + uri + "': a file URI needs an absolute path (file:///data/x)");
    }
  } else if (uri.find("://") != std::string::npos) {
    return Status::Unsupported("storage for URI '" + uri + "' (only file:// and local paths are supported)");
  } else {
    path = uri;
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty()) return Status::InvalidArgument("empty dataset location");
  return path;
}

}  // namespace gaggle
