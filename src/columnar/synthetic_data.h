// SyntheticData: deterministic, realistic-looking record batches for demos,
// benchmarks and tests (`gaggle generate`). The same profile, seed and row count
// always give the same rows, whatever the batch size.
//
// Profiles:
//   bench   id int64 not null, value double, name string, ts timestamp, flag bool,
//           score int64 (about 30% null), category string (8 values)
//   events  a legacy event log to migrate: user_id int64 not null, ts string (ISO text),
//           amount string (decimal text), legacy_flag bool, country string (12 values),
//           session string (about 10% null). With bad_fraction > 0, that share of rows
//           carries an `amount` that no cast can parse ("n/a", "12,5", ...).
//   nested_events  the events columns, then nested ones (synthetic_nested.cc):
//           device struct<os:string,os_version:string,model:string> (about 5% null),
//           items list<struct<sku:string,qty:int32,price:double>> (0-4 items, about 3% null),
//           attrs map<string,string> (0-3 of campaign, referrer, ab_group, locale).
//   nested_bench  the nested benchmark's table (make bench): id int64 not null,
//           items list<struct<item_id:int64,name:string,amount:double>> (0-8 elements, about
//           2% null), tags map<string,string> (0-4 entries), device
//           struct<os:string,version:string,build:int32,score:double> (about 5% null).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/record_batch.h"
#include "common/status.h"

namespace gaggle {

class SyntheticData {
 public:
  static Result<SyntheticData> Make(const std::string& profile, uint64_t seed, double bad_fraction = 0.0);

  std::shared_ptr<const Schema> schema() const { return schema_; }
  // Replaces *batch with the next `rows` rows.
  void NextBatch(size_t rows, RecordBatch* batch);

 private:
  enum class Profile { kBench, kEvents, kNestedEvents, kNestedBench };
  SyntheticData(Profile profile, uint64_t seed, double bad_fraction, std::shared_ptr<const Schema> schema)
      : profile_(profile), seed_(seed), bad_fraction_(bad_fraction), schema_(std::move(schema)) {}
  void FillBench(size_t rows, RecordBatch* batch);
  void FillEvents(size_t rows, RecordBatch* batch);
  void FillNested(size_t rows, RecordBatch* batch);  // columns 6.. of nested_events
  void FillNestedBench(size_t rows, RecordBatch* batch);

  Profile profile_;
  uint64_t seed_;
  double bad_fraction_;
  std::shared_ptr<const Schema> schema_;
  uint64_t next_row_ = 0;
};

}  // namespace gaggle
