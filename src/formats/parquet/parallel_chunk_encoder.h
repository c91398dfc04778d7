// ParallelChunkEncoder: the Parquet writer's ordered pipeline for `threads > 1`. The caller
// (the file writer) cuts its batches into slices at the row-group boundaries and submits
// them in file order; workers encode and compress the fields of those slices in parallel;
// the caller then appends each finished row group to the file, in order, and builds the
// footer as the one-thread writer does.
//
// Ordering (why the bytes equal the one-thread writer's): for every field f the task
// fn(f, slice) runs once per slice, in submission order, never two at a time for the same
// field. So each field's column writers see exactly the calls, with the same rows, that the
// one-thread writer makes; different fields run concurrently. A slice flagged `ends_group`
// closes the row group: its task finishes the field's chunks into the slice's RowGroupChunks
// slots (one per leaf, written only by that field's task). Once Done(seq) is true every task
// of slices 0..seq has returned, and their writes are visible to the caller.
//
// Memory: at most `max_slices` submitted slices (and the batches they share) are held; Submit
// blocks beyond that. A caller blocked in Submit or WaitFor runs tasks itself meanwhile.
// Errors: the first failed task's Status is sticky: later Submit/WaitFor return it and no
// further task starts.
// Thread-safety: Submit, WaitFor and Done are called by one thread (the writer's); tasks run on
// the `threads - 1` workers and on that thread. The destructor waits for running tasks and
// drops the slices not yet encoded.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "columnar/record_batch.h"
#include "common/mutex.h"
#include "common/status.h"
#include "formats/parquet/parquet_metadata.h"

namespace gaggle::parquet {

// One leaf's finished column chunk: its bytes (owned) and metadata (page offsets relative to
// the chunk's first byte, as ColumnChunkOutput).
struct EncodedChunk {
  std::string bytes;
  ColumnMetaData meta;
};

// A row group's chunks, filled by the tasks of the slice that ends it.
struct RowGroupChunks {
  explicit RowGroupChunks(size_t leaves, int64_t rows) : chunks(leaves), num_rows(rows) {}
  std::vector<EncodedChunk> chunks;  // one per leaf, in schema order
  int64_t num_rows;
};

// Rows [offset, offset + rows) of `batch`; `ends_group` is set on the last slice of a row group
// (possibly with no rows, when Finish closes a partial group).
struct EncodeSlice {
  std::shared_ptr<const RecordBatch> batch;
  size_t offset = 0;
  size_t rows = 0;
  std::shared_ptr<RowGroupChunks> ends_group;
};

class ParallelChunkEncoder {
 public:
  using TaskFn = std::function<Status(size_t field, const EncodeSlice& slice)>;

  // REQUIRES: threads >= 1, max_slices >= 1.
  ParallelChunkEncoder(size_t num_fields, int threads, size_t max_slices, TaskFn fn);
  ~ParallelChunkEncoder();
  ParallelChunkEncoder(const ParallelChunkEncoder&) = delete;
  ParallelChunkEncoder& operator=(const ParallelChunkEncoder&) = delete;

  // Queues the slice for every field; returns its sequence number (0, 1, ...) or the sticky error.
  Result<uint64_t> Submit(EncodeSlice slice);
  // Blocks, running tasks, until slices 0..seq are done by every field (or a task failed).
  Status WaitFor(uint64_t seq);
  // Whether slices 0..seq are done by every field.
  bool Done(uint64_t seq);

 private:
  struct Entry {
    EncodeSlice slice;
    size_t fields_left;
  };

  // Runs one ready task (the field whose next slice is oldest), releasing mu_ while it runs.
  // False when no task is ready (or a task failed).
  bool RunOne() REQUIRES(mu_);
  void PopDone() REQUIRES(mu_);
  void WorkerLoop();

  const size_t num_fields_;
  const size_t max_slices_;
  const TaskFn fn_;

  Mutex mu_;
  CondVar cv_;
  std::deque<Entry> slices_ GUARDED_BY(mu_);  // slices_[i] has sequence number first_seq_ + i
  uint64_t first_seq_ GUARDED_BY(mu_) = 0;
  uint64_t next_seq_ GUARDED_BY(mu_) = 0;
  std::vector<uint64_t> field_next_ GUARDED_BY(mu_);  // per field: the next slice to encode
  std::vector<char> field_busy_ GUARDED_BY(mu_);      // per field: a task is running
  Status status_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace gaggle::parquet
