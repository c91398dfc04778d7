#include "server/dashboard_assets.h"

namespace gaggle::server {

// Defined in the source the build generates from the bundled dashboard (cmake/embed_assets.cmake).
extern const DashboardAsset kDashboardAssets[];
extern const size_t kDashboardAssetCount;

const DashboardAsset* FindDashboardAsset(std::string_view path) {
  for (size_t i = 0; i < kDashboardAssetCount; ++i) {
    if (path == kDashboardAssets[i].path) return &kDashboardAssets[i];
  }
  return nullptr;
}

size_t DashboardAssetCount() { return kDashboardAssetCount; }

}  // namespace gaggle::server
