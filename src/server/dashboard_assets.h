// The dashboard's built files (web/, bundled at build time by scripts/build-dashboard.sh)
// embedded in the binary, so `gaggle serve` needs no Node and no files at run time.
// Lookups are by exact path among the embedded files: a request path never reaches the
// file system.
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <string_view>

namespace gaggle::server {

struct DashboardAsset {
  const char* path;  // "/index.html", "/assets/app.js"
  const unsigned char* data;
  size_t size;
  const char* content_type;
};

// The asset at `path`, or nullptr.
const DashboardAsset* FindDashboardAsset(std::string_view path);
// How many files are embedded (0 when the build had no dashboard).
size_t DashboardAssetCount();

}  // namespace gaggle::server
