#include "dataset/prefetching_reader.h"

#include <gtest/gtest.h>

#include "columnar/synthetic_data.h"

namespace gaggle {
namespace {

// Batches of the bench profile, `batches` of them, then the end or `error` instead.
class SyntheticReader final : public BatchReader {
 public:
  SyntheticReader(size_t batches, Status error = Status::OK())
      : data_(SyntheticData::Make("bench", 11).value()), batches_(batches), error_(std::move(error)) {}
  std::shared_ptr<const Schema> schema() const override { return data_.schema(); }
  Result<bool> Next(RecordBatch* batch) override {
    if (calls_++ == batches_) {
      batch->Clear();
      if (!error_.ok()) return error_;
      return false;
    }
    if (calls_ > batches_ + 1) return Status::Internal("Next called after the end");
    data_.NextBatch(1000 + calls_, batch);
    return true;
  }

 private:
  SyntheticData data_;
  size_t batches_;
  Status error_;
  size_t calls_ = 0;
};

std::vector<std::string> ReadAll(BatchReader* reader, Status* end) {
  std::vector<std::string> rows;
  RecordBatch batch;
  while (true) {
    Result<bool> more = reader->Next(&batch);
    if (!more.ok()) {
      *end = more.status();
      return rows;
    }
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r)
      rows.push_back(batch.columns[0].ValueToString(r) + "|" + batch.columns[2].ValueToString(r));
  }
  return rows;
}

TEST(PrefetchingReader, GivesTheSameRowsInTheSameOrder) {
  SyntheticReader plain(20);
  PrefetchingReader prefetched(std::make_unique<SyntheticReader>(20));
  Status a, b;
  std::vector<std::string> want = ReadAll(&plain, &a);
  std::vector<std::string> got = ReadAll(&prefetched, &b);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(want.size(), 20u * 1000 + 210);
  EXPECT_EQ(want, got);
  RecordBatch batch;  // after the end: still the end, the inner reader is not called again
  auto again = prefetched.Next(&batch);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(PrefetchingReader, AnErrorArrivesAfterTheBatchesBeforeItAndStays) {
  PrefetchingReader reader(std::make_unique<SyntheticReader>(3, Status::Corruption("block 4 is damaged")));
  Status end;
  std::vector<std::string> rows = ReadAll(&reader, &end);
  EXPECT_EQ(rows.size(), 3u * 1000 + 6);
  EXPECT_EQ(end.code(), StatusCode::kCorruption);
  EXPECT_NE(end.message().find("block 4"), std::string::npos);
  RecordBatch batch;
  EXPECT_FALSE(reader.Next(&batch).ok());
  EXPECT_EQ(batch.num_rows(), 0u);
}

TEST(PrefetchingReader, StopsWhenDestroyedBeforeTheEnd) {
  for (int taken = 0; taken < 3; ++taken) {
    PrefetchingReader reader(std::make_unique<SyntheticReader>(1000));
    RecordBatch batch;
    for (int i = 0; i < taken; ++i) ASSERT_TRUE(reader.Next(&batch).ValueOr(false));
  }  // each destructor returns (no hang) without reading the other batches
}

TEST(PrefetchingReader, MaybePrefetchKeepsTheReaderWhenAskedTo) {
  auto inner = std::make_unique<SyntheticReader>(1);
  BatchReader* raw = inner.get();
  EXPECT_EQ(MaybePrefetch(std::move(inner), false).get(), raw);
  EXPECT_NE(dynamic_cast<PrefetchingReader*>(MaybePrefetch(std::make_unique<SyntheticReader>(1), true).get()), nullptr);
}

}  // namespace
}  // namespace gaggle
