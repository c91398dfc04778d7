#include "audit/zstd_stream.h"

#include <zstd.h>

#include <vector>

namespace gaggle {

namespace {

// The largest window a frame may ask for: zstd's own default limit for streaming
// decompression, stated here so a crafted frame cannot make us allocate more.
constexpr int kMaxWindowLog = 27;  // 128 MiB
constexpr size_t kFileReadSize = 128 << 10;

}  // namespace

// ------------------------------------------------------------------ writing

struct ZstdWriteStream::Impl {
  ZSTD_CCtx* cctx = nullptr;
  WritableFile* out = nullptr;
  std::vector<char> buf;
  bool finished = false;
  ~Impl() { ZSTD_freeCCtx(cctx); }
};

ZstdWriteStream::ZstdWriteStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZstdWriteStream::~ZstdWriteStream() = default;

Result<std::unique_ptr<ZstdWriteStream>> ZstdWriteStream::Open(WritableFile* out, int level) {
  auto impl = std::make_unique<Impl>();
  impl->out = out;
  impl->cctx = ZSTD_createCCtx();
  if (impl->cctx == nullptr) return Status::Internal("zstd: cannot create a compression context");
  if (level == 0) level = ZSTD_CLEVEL_DEFAULT;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("zstd level " + std::to_string(level) + " is outside [" +
                                   std::to_string(ZSTD_minCLevel()) + ", " + std::to_string(ZSTD_maxCLevel()) + "]");
  }
  for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, level}, std::pair{ZSTD_c_checksumFlag, 1}}) {
    size_t rc = ZSTD_CCtx_setParameter(impl->cctx, param, value);
    if (ZSTD_isError(rc)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
  }
  impl->buf.resize(ZSTD_CStreamOutSize());
  return std::unique_ptr<ZstdWriteStream>(new ZstdWriteStream(std::move(impl)));
}

Status ZstdWriteStream::Drive(std::string_view data, bool end) {
  if (impl_->finished) return Status::Internal("zstd: write after Finish on " + impl_->out->path());
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (true) {
    ZSTD_outBuffer ob{impl_->buf.data(), impl_->buf.size(), 0};
    size_t rc = ZSTD_compressStream2(impl_->cctx, &ob, &in, end ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(rc)) {
      return Status::Internal("zstd compression of " + impl_->out->path() + ": " + ZSTD_getErrorName(rc));
    }
    if (ob.pos > 0) GAGGLE_RETURN_IF_ERROR(impl_->out->Append(std::string_view(impl_->buf.data(), ob.pos)));
    // e_continue: done once all input is taken; e_end: done once the frame is fully flushed.
    if (end ? rc == 0 : in.pos == in.size) break;
  }
  return Status::OK();
}

Status ZstdWriteStream::Write(std::string_view data) {
  bytes_in_ += data.size();
  return Drive(data, false);
}

Status ZstdWriteStream::Finish() {
  GAGGLE_RETURN_IF_ERROR(Drive({}, true));
  impl_->finished = true;
  return Status::OK();
}

// ------------------------------------------------------------------ reading

struct ZstdReadStream::Impl {
  ZSTD_DCtx* dctx = nullptr;
  std::unique_ptr<SequentialFile> file;  // null: reading from memory
  std::vector<char> file_buf;
  ZSTD_inBuffer in{nullptr, 0, 0};
  bool eof = false;      // no more compressed input beyond `in`
  size_t last_hint = 0;  // ZSTD_decompressStream's last return: 0 = at a frame boundary
  bool saw_input = false;
  ~Impl() { ZSTD_freeDCtx(dctx); }
};

ZstdReadStream::ZstdReadStream(std::unique_ptr<Impl> impl, std::string name)
    : impl_(std::move(impl)), name_(std::move(name)) {}
ZstdReadStream::~ZstdReadStream() = default;

namespace {

ZSTD_DCtx* NewDecompressor() {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  if (d != nullptr) ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, kMaxWindowLog);
  return d;
}

}  // namespace

Result<std::unique_ptr<ZstdReadStream>> ZstdReadStream::OpenFile(FileSystem* fs, const std::string& path) {
  auto impl = std::make_unique<Impl>();
  GAGGLE_ASSIGN_OR_RETURN(impl->file, fs->OpenSequential(path));
  impl->dctx = NewDecompressor();
  if (impl->dctx == nullptr) return Status::Internal("zstd: cannot create a decompression context");
  impl->file_buf.resize(kFileReadSize);
  return std::unique_ptr<ZstdReadStream>(new ZstdReadStream(std::move(impl), path));
}

std::unique_ptr<ZstdReadStream> ZstdReadStream::FromMemory(std::string_view compressed, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->dctx = NewDecompressor();
  impl->in = ZSTD_inBuffer{compressed.data(), compressed.size(), 0};
  impl->eof = true;
  return std::unique_ptr<ZstdReadStream>(new ZstdReadStream(std::move(impl), std::move(name)));
}

Status ZstdReadStream::Refill() {
  GAGGLE_ASSIGN_OR_RETURN(
      size_t n, impl_->file->Read(impl_->file_buf.size(), reinterpret_cast<uint8_t*>(impl_->file_buf.data())));
  impl_->in = ZSTD_inBuffer{impl_->file_buf.data(), n, 0};
  if (n == 0) impl_->eof = true;
  return Status::OK();
}

Result<size_t> ZstdReadStream::Read(char* out, size_t n) {
  Impl& s = *impl_;
  if (s.dctx == nullptr) return Status::Internal("zstd: cannot create a decompression context");
  size_t produced = 0;
  while (produced < n) {
    if (s.in.pos == s.in.size && !s.eof) GAGGLE_RETURN_IF_ERROR(Refill());
    if (s.in.size > s.in.pos) s.saw_input = true;
    ZSTD_outBuffer ob{out + produced, n - produced, 0};
    size_t in_before = s.in.pos;
    size_t rc = ZSTD_decompressStream(s.dctx, &ob, &s.in);
    compressed_position_ += s.in.pos - in_before;
    if (ZSTD_isError(rc)) {
      return Status::Corruption(name_ + ": zstd: " + ZSTD_getErrorName(rc) + " near compressed byte offset " +
                                std::to_string(compressed_position_));
    }
    produced += ob.pos;
    if (ob.pos > 0 || s.in.pos != in_before) {
      s.last_hint = rc;  // only a call that did something says where the frame stands
      continue;
    }
    if (s.in.pos < s.in.size) {
      return Status::Corruption(name_ + ": zstd made no progress near compressed byte offset " +
                                std::to_string(compressed_position_));
    }
    if (!s.eof) continue;  // input buffer used up: refill on the next turn
    // No more input and nothing more to flush: the stream ends here.
    if (!s.saw_input) return Status::Corruption(name_ + ": empty file, not a zstd stream");
    if (s.last_hint != 0) {
      return Status::Corruption(name_ + ": zstd stream ends inside a frame (truncated) at compressed byte offset " +
                                std::to_string(compressed_position_));
    }
    break;
  }
  position_ += produced;
  return produced;
}

}  // namespace gaggle
