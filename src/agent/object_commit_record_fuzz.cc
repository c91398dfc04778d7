// libFuzzer target: any bytes as an object-store output's manifest (the commit point that
// names the current attempt) parse or fail cleanly; a parsed record names an attempt ID and
// only plain relative object paths, and survives a round trip through its JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "agent/object_output_committer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = gaggle::ParseCommitRecord(text, "fuzz");
  if (!record.ok()) return 0;
  nlohmann::json j = record->manifest.ToJson();
  j["attempt"] = record->attempt;
  j["objects"] = nlohmann::json::array();
  for (const auto& o : record->objects) {
    if (o.path.empty() || o.path.front() == '/' || o.path.starts_with("../")) __builtin_trap();
    j["objects"].push_back({{"path", o.path}, {"bytes", o.bytes}, {"etag", o.etag}});
  }
  auto again = gaggle::ParseCommitRecord(j.dump(), "fuzz");
  if (!again.ok() || again->attempt != record->attempt || again->objects.size() != record->objects.size()) {
    __builtin_trap();
  }
  return 0;
}
