#include "dataset/input_fingerprint.h"

#include "common/digest.h"

namespace gaggle {

Result<InputFingerprint> FingerprintDataset(FileSystem* fs, const std::string& root) {
  InputFingerprint fp;
  fp.root = root;
  GAGGLE_ASSIGN_OR_RETURN(fp.files, ListDatasetFiles(fs, root, &fp.is_directory));
  Sha256 all;
  for (InputFile& f : fp.files) {
    GAGGLE_ASSIGN_OR_RETURN(f.content_hash, ContentHashFile(fs, f.path));
    fp.total_bytes += f.size;
    all.Update(f.relative_path);
    all.Update(std::string_view("\0", 1));
    all.Update(f.content_hash);
    all.Update("\n");
  }
  fp.content_hash = all.FinishHex();
  return fp;
}

nlohmann::json InputFingerprint::ToJson() const {
  nlohmann::json j = {
      {"root", root}, {"is_directory", is_directory}, {"total_bytes", total_bytes}, {"content_hash", content_hash}};
  j["files"] = nlohmann::json::array();
  for (const InputFile& f : files) {
    j["files"].push_back(
        {{"path", f.relative_path}, {"size", f.size}, {"mtime_ns", f.mtime_ns}, {"content_hash", f.content_hash}});
  }
  return j;
}

Result<InputFingerprint> InputFingerprint::FromJson(const nlohmann::json& j) {
  InputFingerprint fp;
  try {
    fp.root = j.at("root").get<std::string>();
    fp.is_directory = j.at("is_directory").get<bool>();
    fp.total_bytes = j.at("total_bytes").get<uint64_t>();
    fp.content_hash = j.at("content_hash").get<std::string>();
    for (const auto& f : j.at("files")) {
      InputFile file;
      file.relative_path = f.at("path").get<std::string>();
      file.size = f.at("size").get<uint64_t>();
      file.mtime_ns = f.at("mtime_ns").get<int64_t>();
      file.content_hash = f.at("content_hash").get<std::string>();
      fp.files.push_back(std::move(file));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("input fingerprint: ") + e.what());
  }
  return fp;
}

}  // namespace gaggle
