// Where validation's time goes: reads OLD and NEW (Parquet, CSV, ...) doing nothing
// else (the read floor), then read + content checksum, then read + full profile
// (checksum and column statistics), then the whole DatasetValidator, serial and with
// the two sides on two threads. Prints markdown table rows: step, wall and CPU
// seconds, rows/s (rows of both sides), CPU time relative to the read floor's (CPU
// time stays meaningful on a loaded machine, wall time does not).
// Usage: validate_bench OLD NEW SPEC.yaml
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "dataset/format_table.h"
#include "spec/migration_spec.h"
#include "validate/dataset_profile.h"
#include "validate/dataset_validator.h"

namespace gaggle {
namespace {

using Clock = std::chrono::steady_clock;

enum class Work { kNone, kChecksum, kProfile };

// Reads one file through; returns its rows.
Result<int64_t> ReadFile(const std::string& path, Work work) {
  GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(path));
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(path, format, ReadOptions{}));
  ContentChecksum checksum;
  DatasetProfile profile(reader->schema(), ProfileOptions{});
  RecordBatch batch;
  int64_t rows = 0;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    rows += static_cast<int64_t>(batch.num_rows());
    if (work == Work::kChecksum) checksum.Update(batch);
    if (work == Work::kProfile) profile.Update(batch);
  }
  if (work == Work::kProfile) (void)profile.Summarize();
  return rows;
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 0;
  double cpu = 0;  // all threads of the process
};

template <typename F>
Timing Time(F&& f) {
  auto start = Clock::now();
  double cpu = CpuSeconds();
  f();
  return {std::chrono::duration<double>(Clock::now() - start).count(), CpuSeconds() - cpu};
}

void Row(const char* step, Timing t, int64_t rows, Timing floor) {
  std::printf("| %s | %.3f | %.3f | %.2fM | %.2f |\n", step, t.wall, t.cpu, static_cast<double>(rows) / t.wall / 1e6,
              t.cpu / floor.cpu);
}

int Main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: validate_bench OLD NEW SPEC.yaml (OLD and NEW single files)\n");
    return 2;
  }
  const std::string old_path = argv[1], new_path = argv[2];
  auto spec = LoadMigrationSpec(argv[3]);
  if (!spec.ok()) {
    std::fprintf(stderr, "validate_bench: %s\n", spec.status().ToString().c_str());
    return 1;
  }
  int64_t rows = 0;
  Status failure;
  auto read_both = [&](Work work) {
    rows = 0;
    for (const std::string& p : {old_path, new_path}) {
      auto r = ReadFile(p, work);
      if (!r.ok()) {
        failure = r.status();
        return;
      }
      rows += *r;
    }
  };
  const Timing floor = Time([&] { read_both(Work::kNone); });
  const Timing checksum = Time([&] { read_both(Work::kChecksum); });
  const Timing profile = Time([&] { read_both(Work::kProfile); });
  if (!failure.ok()) {
    std::fprintf(stderr, "validate_bench: %s\n", failure.ToString().c_str());
    return 1;
  }
  Timing validate[2];
  for (int parallel = 0; parallel < 2; ++parallel) {
    ValidateOptions options;
    options.parallel = parallel == 1;
    validate[parallel] = Time([&] {
      auto result = DatasetValidator(*spec, options).Validate(old_path, new_path);
      if (!result.ok())
        failure = result.status();
      else if (!result->passed())
        failure = Status::Internal("validation failed: " + result->FailureSummary());
    });
  }
  if (!failure.ok()) {
    std::fprintf(stderr, "validate_bench: %s\n", failure.ToString().c_str());
    return 1;
  }
  std::printf("| step (both sides, 1 thread unless said) | wall s | CPU s | rows/s (wall) | CPU / read floor CPU |\n");
  std::printf("|---|---|---|---|---|\n");
  Row("read only (the floor)", floor, rows, floor);
  Row("read + content checksum", checksum, rows, floor);
  Row("read + checksum + column statistics", profile, rows, floor);
  Row("DatasetValidator, serial (+ identity transform)", validate[0], rows, floor);
  Row("DatasetValidator, 2 threads (one per side)", validate[1], rows, floor);
  return 0;
}

}  // namespace
}  // namespace gaggle

int main(int argc, char** argv) { return gaggle::Main(argc, argv); }
