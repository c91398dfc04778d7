#include "common/digest.h"

#include <openssl/evp.h>
#include <xxhash.h>

#include <cstdio>
#include <vector>

namespace gaggle {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(new Impl) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

std::string Sha256::FinishHex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinishHex();
}

namespace {

template <typename Fn>
Status ForEachChunk(FileSystem* fs, const std::string& path, Fn&& fn) {
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  std::vector<uint8_t> buf(1 << 20);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file->Read(buf.size(), buf.data()));
    if (n == 0) break;
    fn(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
  }
  return Status::OK();
}

}  // namespace

Result<std::string> Sha256File(FileSystem* fs, const std::string& path) {
  Sha256 h;
  GAGGLE_RETURN_IF_ERROR(ForEachChunk(fs, path, [&](std::string_view chunk) { h.Update(chunk); }));
  return h.FinishHex();
}

Result<std::string> ContentHashFile(FileSystem* fs, const std::string& path) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  Status st =
      ForEachChunk(fs, path, [&](std::string_view chunk) { XXH3_128bits_update(state, chunk.data(), chunk.size()); });
  XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  GAGGLE_RETURN_IF_ERROR(st);
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(buf);
}

}  // namespace gaggle
