#include "formats/jsonl/parallel_jsonl_reader.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/memory_files.h"
#include "formats/text_input.h"

namespace gaggle {
namespace {

constexpr size_t kMinBlockBytes = size_t{1} << 20;
constexpr size_t kMaxBlockBytes = size_t{64} << 20;
constexpr size_t kReadBytes = size_t{1} << 20;

// A block of whole lines and where it starts in the file.
struct LineBlock {
  std::string text;
  JsonlBlock where;
};

// What a parser thread made of one block: its batches, then its error (OK when none).
struct ParsedBlock {
  std::vector<RecordBatch> batches;
  Status status;
};

class ParallelJsonlReader final : public BatchReader {
 public:
  // `head`: the file's first bytes, already read from `file` (ReadHead).
  ParallelJsonlReader(std::unique_ptr<SequentialFile> file, std::string head, const ReadOptions& options,
                      std::shared_ptr<const Schema> schema, bool inferred, size_t block_bytes, int threads)
      : head_(std::move(head)),
        file_(std::move(file)),
        options_(options),
        schema_(std::move(schema)),
        inferred_(inferred),
        block_bytes_(block_bytes),
        ahead_(static_cast<uint64_t>(threads) + 1) {
    options_.schema = *schema_;
    options_.threads = 1;
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }

  ~ParallelJsonlReader() override {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    for (std::thread& t : threads_) t.join();
  }

  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> Next(RecordBatch* batch) override;

 private:
  void Work() EXCLUDES(mu_);
  // Cuts the next block of whole lines off the file; false at its end.
  Result<bool> CutBlock(LineBlock* block) REQUIRES(mu_);
  // Up to `n` next bytes of the file (the head first) into `out`; 0 at its end.
  Result<size_t> ReadMore(size_t n, char* out) REQUIRES(mu_);
  ParsedBlock Parse(LineBlock block) const;
  // The target size of the next block: about batch_rows lines of the size seen so far.
  size_t NextBlockBytes() const REQUIRES(mu_);

  Mutex mu_;
  std::string head_ GUARDED_BY(mu_);  // read before the file: its first bytes
  size_t head_taken_ GUARDED_BY(mu_) = 0;
  std::unique_ptr<SequentialFile> file_;
  ReadOptions options_;  // for each block: the file's schema, one thread
  const std::shared_ptr<const Schema> schema_;
  const bool inferred_;
  const size_t block_bytes_;  // 0: sized from the lines
  const uint64_t ahead_;      // blocks cut beyond the one Next() waits for

  CondVar cv_;
  std::vector<std::thread> threads_;
  std::string carry_ GUARDED_BY(mu_);  // read past the last cut: the start of a line
  bool eof_ GUARDED_BY(mu_) = false;
  bool no_more_ GUARDED_BY(mu_) = false;  // every block is cut (or cutting failed)
  bool stop_ GUARDED_BY(mu_) = false;
  uint64_t next_line_ GUARDED_BY(mu_) = 1;
  uint64_t next_offset_ GUARDED_BY(mu_) = 0;
  uint64_t lines_cut_ GUARDED_BY(mu_) = 0;
  uint64_t bytes_cut_ GUARDED_BY(mu_) = 0;
  uint64_t cut_ GUARDED_BY(mu_) = 0;     // blocks cut so far
  uint64_t taking_ GUARDED_BY(mu_) = 0;  // the block Next() hands out now
  std::map<uint64_t, ParsedBlock> parsed_ GUARDED_BY(mu_);

  // The caller's side.
  ParsedBlock current_;
  size_t current_batch_ = 0;
  bool have_current_ = false;
  Status error_;
};

size_t ParallelJsonlReader::NextBlockBytes() const {
  if (block_bytes_ > 0) return block_bytes_;
  if (lines_cut_ == 0) return kMinBlockBytes;
  const uint64_t per_line = std::max<uint64_t>(1, bytes_cut_ / lines_cut_);
  return std::clamp<size_t>(static_cast<size_t>(per_line * options_.batch_rows), kMinBlockBytes, kMaxBlockBytes);
}

Result<bool> ParallelJsonlReader::CutBlock(LineBlock* block) {
  const size_t want = NextBlockBytes();
  carry_.reserve(want + kReadBytes);  // read into place: no regrowth copies the block so far
  size_t searched = 0;                // carry_[0, searched) holds no line break
  while (true) {
    if (carry_.size() >= want || eof_) {
      const void* nl = memrchr(carry_.data() + searched, '\n', carry_.size() - searched);
      if (nl != nullptr || (eof_ && !carry_.empty())) {
        const size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - carry_.data()) + 1 : carry_.size();
        // The block takes the buffer; only the start of the next line is copied back.
        block->text = std::move(carry_);
        carry_.assign(block->text, len, std::string::npos);
        block->text.resize(len);
        block->where = {next_line_, next_offset_, inferred_};
        const uint64_t lines = CountLineBreaks(block->text);
        next_line_ += lines;
        next_offset_ += len;
        lines_cut_ += lines;
        bytes_cut_ += len;
        return true;
      }
      if (eof_) return false;
      searched = carry_.size();  // one line longer than the block so far: read on
      if (carry_.size() >= TextInput::kDefaultMaxWindowBytes) {
        return Status::Corruption(file_->path() + ": a record starting at byte " + std::to_string(next_offset_) +
                                  " is longer than " + std::to_string(TextInput::kDefaultMaxWindowBytes >> 20) +
                                  " MiB (unterminated quote or missing line break?)");
      }
    }
    const size_t at = carry_.size();
    carry_.resize(at + kReadBytes);
    Result<size_t> n = ReadMore(kReadBytes, carry_.data() + at);
    carry_.resize(at + (n.ok() ? *n : 0));
    if (!n.ok()) return n.status();
    if (*n == 0) eof_ = true;
  }
}

Result<size_t> ParallelJsonlReader::ReadMore(size_t n, char* out) {
  if (head_taken_ < head_.size()) {
    const size_t k = std::min(n, head_.size() - head_taken_);
    std::memcpy(out, head_.data() + head_taken_, k);
    head_taken_ += k;
    if (head_taken_ == head_.size()) std::string().swap(head_);  // its memory goes back
    return k;
  }
  return file_->Read(n, reinterpret_cast<uint8_t*>(out));
}

ParsedBlock ParallelJsonlReader::Parse(LineBlock block) const {
  ParsedBlock out;
  auto input =
      std::make_unique<TextInput>(std::make_unique<StringSequentialFile>(file_->path(), std::move(block.text)));
  auto reader = OpenJsonlBlockReader(std::move(input), options_, block.where);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  while (true) {
    RecordBatch batch;
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) {
      out.status = more.status();
      break;
    }
    if (!*more) break;
    out.batches.push_back(std::move(batch));
  }
  return out;
}

void ParallelJsonlReader::Work() {
  while (true) {
    LineBlock block;
    uint64_t index = 0;
    {
      MutexLock lock(&mu_);
      while (!stop_ && !no_more_ && cut_ >= taking_ + ahead_) cv_.Wait(&mu_);
      if (stop_ || no_more_) return;
      Result<bool> got = CutBlock(&block);
      if (!got.ok() || !*got) {
        no_more_ = true;
        if (!got.ok()) parsed_[cut_++] = ParsedBlock{{}, got.status()};
        cv_.SignalAll();
        return;
      }
      index = cut_++;
    }
    ParsedBlock parsed = Parse(std::move(block));
    {
      MutexLock lock(&mu_);
      parsed_[index] = std::move(parsed);
    }
    cv_.SignalAll();
  }
}

Result<bool> ParallelJsonlReader::Next(RecordBatch* batch) {
  *batch = RecordBatch::Empty(schema_);  // what an end or an error leaves behind
  if (!error_.ok()) return error_;
  while (true) {
    if (have_current_ && current_batch_ < current_.batches.size()) {
      *batch = std::move(current_.batches[current_batch_++]);
      return true;
    }
    if (have_current_ && !current_.status.ok()) return error_ = current_.status;
    MutexLock lock(&mu_);
    if (have_current_) {
      have_current_ = false;
      ++taking_;
      cv_.SignalAll();  // a parser may cut the next block
    }
    while (parsed_.count(taking_) == 0 && !(no_more_ && taking_ >= cut_)) cv_.Wait(&mu_);
    auto it = parsed_.find(taking_);
    if (it == parsed_.end()) return false;  // every block handed out
    current_ = std::move(it->second);
    parsed_.erase(it);
    current_batch_ = 0;
    have_current_ = true;
  }
}

// Reads the file's first bytes: through the first line break past the reach of schema
// inference (kJsonlMaxSampleBytes, and a BOM), or all of a shorter file. Sets
// *sample_end to the end of that line: inference reads no further. A line that runs on
// past the single reader's window cap stops the reading there, and the single reader
// then fails on it as it would on the whole file.
Result<std::string> ReadHead(SequentialFile* file, size_t* sample_end) {
  constexpr size_t kReach = kJsonlMaxSampleBytes + 64;
  constexpr size_t kGiveUp = 2 * kReach + TextInput::kDefaultMaxWindowBytes;
  std::string head;
  size_t searched = kReach;  // head[kReach, searched) holds no line break
  while (true) {
    if (head.size() > searched) {
      const void* nl = std::memchr(head.data() + searched, '\n', head.size() - searched);
      if (nl != nullptr) {
        *sample_end = static_cast<size_t>(static_cast<const char*>(nl) - head.data()) + 1;
        return head;
      }
      searched = head.size();
    }
    if (head.size() >= kGiveUp) break;
    const size_t at = head.size();
    head.resize(at + kReadBytes);
    Result<size_t> n = file->Read(kReadBytes, reinterpret_cast<uint8_t*>(head.data() + at));
    head.resize(at + (n.ok() ? *n : 0));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
  }
  *sample_end = head.size();
  return head;
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenParallelJsonlReader(FileSystem* fs, const std::string& path,
                                                             const ReadOptions& options, size_t block_bytes) {
  // The file is opened once. The schema is the one the single reader sees (declared, or
  // inferred from the first lines), from the same first lines.
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  size_t sample_end = 0;
  GAGGLE_ASSIGN_OR_RETURN(std::string head, ReadHead(file.get(), &sample_end));
  ReadOptions one = options;
  one.threads = 1;
  auto sample = std::make_unique<StringSequentialFile>(path, head.substr(0, sample_end));
  GAGGLE_ASSIGN_OR_RETURN(auto single, OpenJsonlReader(std::make_unique<TextInput>(std::move(sample)), one));
  std::shared_ptr<const Schema> schema = single->schema();
  single.reset();
  return std::unique_ptr<BatchReader>(new ParallelJsonlReader(std::move(file), std::move(head), options,
                                                              std::move(schema), !options.schema.has_value(),
                                                              block_bytes, std::max(options.threads, 1)));
}

Result<std::unique_ptr<BatchReader>> OpenParallelJsonlReader(FileSystem* fs, const std::string& path,
                                                             const ReadOptions& options) {
  return OpenParallelJsonlReader(fs, path, options, 0);
}

}  // namespace gaggle
