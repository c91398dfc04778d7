// PrefetchingReader: a BatchReader that reads the next batch on a thread of its own while
// the caller works on the current one, so decoding a file and encoding its copy (or
// transforming it) use two cores. Batches come out in the wrapped reader's order, with the
// same contents; the first error ends the stream (returned once in order, then again on
// every later Next).
//
// Memory: three batches (the caller's, a filled one waiting, one being filled); batches are
// swapped between them, never copied.
// Thread-safety: the wrapped reader is used only by the prefetch thread from construction
// on; the PrefetchingReader itself is used by one caller thread. Destroying it stops the
// thread after the batch it is reading (no further Next of the wrapped reader).
#pragma once

#include <memory>
#include <thread>

#include "common/mutex.h"
#include "formats/format.h"

namespace gaggle {

class PrefetchingReader final : public BatchReader {
 public:
  explicit PrefetchingReader(std::unique_ptr<BatchReader> inner);
  ~PrefetchingReader() override;
  PrefetchingReader(const PrefetchingReader&) = delete;
  PrefetchingReader& operator=(const PrefetchingReader&) = delete;

  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> Next(RecordBatch* batch) override;

 private:
  void Run();

  std::unique_ptr<BatchReader> inner_;
  std::shared_ptr<const Schema> schema_;

  Mutex mu_;
  CondVar cv_;
  RecordBatch slot_ GUARDED_BY(mu_);        // filled by the thread, swapped out by Next
  bool slot_full_ GUARDED_BY(mu_) = false;  // slot_ holds the result of one inner Next
  Result<bool> slot_result_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool ended_ GUARDED_BY(mu_) = false;  // the caller has seen the end or an error
  std::thread thread_;
};

// Wraps `reader` in a PrefetchingReader (or returns it as it is when `prefetch` is false).
std::unique_ptr<BatchReader> MaybePrefetch(std::unique_ptr<BatchReader> reader, bool prefetch);

}  // namespace gaggle
