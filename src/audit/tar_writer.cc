#include "audit/tar_writer.h"

#include <algorithm>
#include <filesystem>

#include "audit/tar_header.h"
#include "audit/zstd_stream.h"

namespace gaggle {

namespace {

const char kZeros[2 * kTarBlockSize] = {};

Status CheckWritablePath(const std::string& path) {
  std::string why = UnsafeTarPathReason(path);
  if (why.empty()) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      std::string_view part(path.data() + start, end - start);
      if (part.empty()) why = "path has an empty component (or ends in '/')";
      if (part == ".") why = "path has a '.' component";
      if (!why.empty()) break;
      start = end + 1;
    }
  }
  if (why.empty()) return Status::OK();
  return Status::InvalidArgument("tar entry '" + path + "': " + why);
}

size_t Padding(uint64_t size) { return static_cast<size_t>((kTarBlockSize - size % kTarBlockSize) % kTarBlockSize); }

}  // namespace

struct TarZstWriter::Impl {
  FileSystem* fs = nullptr;
  std::string path;
  std::string tmp_path;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<ZstdWriteStream> zstd;
  Status error;  // sticky
  bool done = false;
  uint64_t tar_bytes = 0;
};

TarZstWriter::TarZstWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TarZstWriter::TarZstWriter(TarZstWriter&&) noexcept = default;
TarZstWriter& TarZstWriter::operator=(TarZstWriter&& other) noexcept {
  if (this != &other) {
    Abandon();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
TarZstWriter::~TarZstWriter() { Abandon(); }

Result<TarZstWriter> TarZstWriter::Create(const std::string& path, int level, FileSystem* fs) {
  auto impl = std::make_unique<Impl>();
  impl->fs = fs != nullptr ? fs : FileSystem::Default();
  impl->path = path;
  impl->tmp_path = path + ".tmp";
  GAGGLE_ASSIGN_OR_RETURN(impl->file, impl->fs->OpenWritable(impl->tmp_path));
  auto zstd = ZstdWriteStream::Open(impl->file.get(), level);
  if (!zstd.ok()) {
    (void)impl->file->Close();
    (void)impl->fs->RemoveFile(impl->tmp_path);
    return zstd.status();
  }
  impl->zstd = std::move(zstd).value();
  return TarZstWriter(std::move(impl));
}

uint64_t TarZstWriter::tar_bytes() const { return impl_ ? impl_->tar_bytes : 0; }

const std::string& TarZstWriter::path() const {
  static const std::string kNone;
  return impl_ ? impl_->path : kNone;
}

Status TarZstWriter::Write(std::string_view bytes) {
  Status st = impl_->zstd->Write(bytes);
  if (!st.ok()) {
    impl_->error = st;
    return st;
  }
  impl_->tar_bytes += bytes.size();
  return Status::OK();
}

Status TarZstWriter::Add(const std::string& archive_path, std::string_view data, int64_t mtime_unix) {
  GAGGLE_RETURN_IF_ERROR(WriteHeader(archive_path, data.size(), mtime_unix));
  GAGGLE_RETURN_IF_ERROR(Write(data));
  return Write(std::string_view(kZeros, Padding(data.size())));
}

Status TarZstWriter::AddFile(const std::string& archive_path, const std::string& source,
                             const std::function<void(std::string_view)>& on_bytes, int64_t mtime_unix) {
  if (!impl_ || impl_->done) return Status::Internal("tar writer: AddFile after Finish or Abandon");
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> in, impl_->fs->OpenSequential(source));
  GAGGLE_ASSIGN_OR_RETURN(FileInfo info, impl_->fs->Stat(source));
  GAGGLE_RETURN_IF_ERROR(WriteHeader(archive_path, info.size, mtime_unix));
  std::string buf(size_t{1} << 20, '\0');
  uint64_t left = info.size;
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    GAGGLE_ASSIGN_OR_RETURN(size_t n, in->Read(want, reinterpret_cast<uint8_t*>(buf.data())));
    if (n == 0) {
      impl_->error = Status::IOError("tar entry '" + archive_path + "': " + source + " shrank while it was archived");
      return impl_->error;
    }
    const std::string_view chunk(buf.data(), n);
    if (on_bytes) on_bytes(chunk);
    GAGGLE_RETURN_IF_ERROR(Write(chunk));
    left -= n;
  }
  return Write(std::string_view(kZeros, Padding(info.size)));
}

Status TarZstWriter::WriteHeader(const std::string& archive_path, uint64_t size, int64_t mtime_unix) {
  if (!impl_ || impl_->done) return Status::Internal("tar writer: Add after Finish or Abandon");
  if (!impl_->error.ok()) return impl_->error;
  GAGGLE_RETURN_IF_ERROR(CheckWritablePath(archive_path));
  if (mtime_unix < 0) {
    return Status::InvalidArgument("tar entry '" + archive_path + "': negative mtime " + std::to_string(mtime_unix));
  }
  UstarHeader header;
  header.size = size;
  header.mtime = mtime_unix;
  std::string pax;
  if (archive_path.size() <= kUstarNameSize) {
    header.name = archive_path;
  } else if (!SplitUstarPath(archive_path, &header.prefix, &header.name)) {
    header.name = archive_path.substr(0, kUstarNameSize);  // what a reader without pax support sees
    pax += PaxRecord("path", archive_path);
  }
  if (header.size > kUstarMaxOctal11) pax += PaxRecord("size", std::to_string(header.size));
  if (static_cast<uint64_t>(mtime_unix) > kUstarMaxOctal11) pax += PaxRecord("mtime", std::to_string(mtime_unix));

  char block[kTarBlockSize];
  if (!pax.empty()) {
    UstarHeader x;
    std::string base = std::filesystem::path(archive_path).filename().string();
    x.name = ("PaxHeaders/" + base).substr(0, kUstarNameSize);
    x.size = pax.size();
    x.mtime = header.mtime;
    x.typeflag = 'x';
    EncodeUstarHeader(x, block);
    GAGGLE_RETURN_IF_ERROR(Write(std::string_view(block, kTarBlockSize)));
    GAGGLE_RETURN_IF_ERROR(Write(pax));
    GAGGLE_RETURN_IF_ERROR(Write(std::string_view(kZeros, Padding(pax.size()))));
  }
  EncodeUstarHeader(header, block);
  return Write(std::string_view(block, kTarBlockSize));
}

Status TarZstWriter::Finish() {
  if (!impl_ || impl_->done) return Status::Internal("tar writer: Finish after Finish or Abandon");
  if (!impl_->error.ok()) return impl_->error;
  Impl& s = *impl_;
  auto fail = [&](Status st) {
    s.error = st;
    return st;
  };
  // Two zero blocks end a tar archive.
  GAGGLE_RETURN_IF_ERROR(Write(std::string_view(kZeros, sizeof(kZeros))));
  if (Status st = s.zstd->Finish(); !st.ok()) return fail(st);
  if (Status st = s.file->Sync(); !st.ok()) return fail(st);
  if (Status st = s.file->Close(); !st.ok()) return fail(st);
  s.file.reset();
  if (Status st = s.fs->Rename(s.tmp_path, s.path); !st.ok()) return fail(st);
  s.done = true;
  std::string dir = std::filesystem::path(s.path).parent_path().string();
  return s.fs->SyncDirectory(dir.empty() ? "." : dir);
}

void TarZstWriter::Abandon() {
  if (!impl_ || impl_->done) return;
  impl_->done = true;
  if (impl_->file) {
    (void)impl_->file->Close();
    impl_->file.reset();
  }
  (void)impl_->fs->RemoveFile(impl_->tmp_path);
}

}  // namespace gaggle
