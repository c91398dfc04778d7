#include "formats/parquet/parallel_chunk_encoder.h"

#include <utility>

namespace gaggle::parquet {

ParallelChunkEncoder::ParallelChunkEncoder(size_t num_fields, int threads, size_t max_slices, TaskFn fn)
    : num_fields_(num_fields), max_slices_(max_slices < 1 ? 1 : max_slices), fn_(std::move(fn)) {
  {
    MutexLock lock(&mu_);
    field_next_.assign(num_fields_, 0);
    field_busy_.assign(num_fields_, 0);
  }
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ParallelChunkEncoder::~ParallelChunkEncoder() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  for (std::thread& t : workers_) t.join();
}

void ParallelChunkEncoder::WorkerLoop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    if (!RunOne()) cv_.Wait(&mu_);
  }
}

bool ParallelChunkEncoder::RunOne() {
  if (!status_.ok() || stopping_) return false;
  size_t best = num_fields_;
  for (size_t f = 0; f < num_fields_; ++f) {
    if (field_busy_[f] || field_next_[f] >= next_seq_) continue;
    if (best == num_fields_ || field_next_[f] < field_next_[best]) best = f;
  }
  if (best == num_fields_) return false;
  const uint64_t seq = field_next_[best];
  field_busy_[best] = 1;
  EncodeSlice slice = slices_[seq - first_seq_].slice;  // shared pointers: cheap, and safe from pops
  mu_.Unlock();
  Status st = fn_(best, slice);
  slice = EncodeSlice();  // drop this task's hold on the batch before the entry can be popped
  mu_.Lock();
  field_busy_[best] = 0;
  ++field_next_[best];
  --slices_[seq - first_seq_].fields_left;
  if (!st.ok() && status_.ok()) status_ = std::move(st);
  PopDone();
  cv_.SignalAll();
  return true;
}

void ParallelChunkEncoder::PopDone() {
  while (!slices_.empty() && slices_.front().fields_left == 0) {
    slices_.pop_front();
    ++first_seq_;
  }
}

Result<uint64_t> ParallelChunkEncoder::Submit(EncodeSlice slice) {
  MutexLock lock(&mu_);
  while (status_.ok() && slices_.size() >= max_slices_) {
    if (!RunOne()) cv_.Wait(&mu_);
  }
  if (!status_.ok()) return status_;
  slices_.push_back({std::move(slice), num_fields_});
  const uint64_t seq = next_seq_++;
  PopDone();  // a schema without fields has nothing to encode
  cv_.SignalAll();
  return seq;
}

Status ParallelChunkEncoder::WaitFor(uint64_t seq) {
  MutexLock lock(&mu_);
  while (status_.ok() && first_seq_ <= seq) {
    if (!RunOne()) cv_.Wait(&mu_);
  }
  return status_;
}

bool ParallelChunkEncoder::Done(uint64_t seq) {
  MutexLock lock(&mu_);
  return first_seq_ > seq;
}

}  // namespace gaggle::parquet
