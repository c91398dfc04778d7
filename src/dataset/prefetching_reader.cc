#include "dataset/prefetching_reader.h"

#include <utility>

namespace gaggle {

PrefetchingReader::PrefetchingReader(std::unique_ptr<BatchReader> inner)
    : inner_(std::move(inner)), schema_(inner_->schema()) {
  thread_ = std::thread([this] { Run(); });
}

PrefetchingReader::~PrefetchingReader() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  thread_.join();
}

// The prefetch thread: fill a batch of its own, then wait until Next has taken it.
void PrefetchingReader::Run() {
  RecordBatch filling;
  while (true) {
    Result<bool> more = inner_->Next(&filling);
    const bool last = !more.ok() || !*more;
    MutexLock lock(&mu_);
    while (slot_full_ && !stopping_) cv_.Wait(&mu_);
    if (stopping_) return;
    std::swap(slot_, filling);
    slot_result_ = std::move(more);
    slot_full_ = true;
    cv_.SignalAll();
    if (last) return;
  }
}

Result<bool> PrefetchingReader::Next(RecordBatch* batch) {
  MutexLock lock(&mu_);
  if (ended_) {
    batch->Clear();
    return slot_result_;
  }
  while (!slot_full_) cv_.Wait(&mu_);
  std::swap(*batch, slot_);  // the caller's previous batch goes back to be refilled
  slot_full_ = false;
  Result<bool> result = slot_result_;
  if (!result.ok() || !*result) {
    ended_ = true;
    batch->Clear();
  }
  cv_.SignalAll();
  return result;
}

std::unique_ptr<BatchReader> MaybePrefetch(std::unique_ptr<BatchReader> reader, bool prefetch) {
  if (!prefetch) return reader;
  return std::make_unique<PrefetchingReader>(std::move(reader));
}

}  // namespace gaggle
