// Fuzzes the catalog parsers (Backstage descriptors and native catalogs) and
// reference resolution: any input must give a catalog or a problem list, never a
// crash, hang or out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "catalog/catalog_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gaggle::CatalogDraft draft;
  gaggle::ParseCatalogText(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml", /*strict=*/true,
                           /*fs=*/nullptr, &draft);
  (void)draft.Finish();
  return 0;
}
