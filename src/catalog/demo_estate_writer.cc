// WriteDemoEstate: the demo estate's files — Avro data on worker threads, then the
// Backstage catalog, the migration spec, README.txt and faults.env.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "catalog/demo_estate.h"
#include "columnar/synthetic_data.h"
#include "common/forwarding_file_system.h"
#include "common/mutex.h"
#include "dataset/format_table.h"

namespace gaggle {
namespace {

constexpr size_t kBatchRows = 64 * 1024;
constexpr size_t kSyncSize = 16;

uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The Avro writer draws its 16-byte sync marker at random; the demo estate must be
// byte-identical for a seed, so its files pass through this file, which swaps the
// writer's marker for one derived from the seed. The marker is the last 16 bytes of
// the container header (the first Append) and follows every block.
class DeterministicSyncFile : public WritableFile {
 public:
  DeterministicSyncFile(std::unique_ptr<WritableFile> base, const std::string& marker)
      : base_(std::move(base)), marker_(marker) {}

  Status Append(std::string_view data) override {
    if (random_.empty()) {
      if (data.size() < 4 + kSyncSize || data.substr(0, 4) != std::string_view("Obj\x01", 4)) {
        return Status::Internal(base_->path() + ": expected the Avro container header as the first write");
      }
      random_ = std::string(data.substr(data.size() - kSyncSize));
    }
    size_t pos = data.find(random_);
    if (pos == std::string_view::npos) return base_->Append(data);
    scratch_.assign(data);
    for (; pos != std::string::npos; pos = scratch_.find(random_, pos + kSyncSize)) {
      scratch_.replace(pos, kSyncSize, marker_);
    }
    return base_->Append(scratch_);
  }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override { return base_->Sync(); }
  Status Close() override { return base_->Close(); }
  uint64_t bytes_written() const override { return base_->bytes_written(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<WritableFile> base_;
  std::string marker_, random_, scratch_;
};

// A FileSystem whose writable files are DeterministicSyncFiles; the rest is `base`.
class DeterministicSyncFileSystem : public ForwardingFileSystem {
 public:
  DeterministicSyncFileSystem(FileSystem* base, uint64_t seed) : ForwardingFileSystem(base) {
    for (size_t i = 0; i < kSyncSize; i += 8) {
      uint64_t r = Mix(seed + 0x9e3779b97f4a7c15ULL * (i + 1));
      marker_.append(reinterpret_cast<const char*>(&r), 8);
    }
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& p) override {
    GAGGLE_ASSIGN_OR_RETURN(auto file, base()->OpenWritable(p));
    return std::unique_ptr<WritableFile>(std::make_unique<DeterministicSyncFile>(std::move(file), marker_));
  }

 private:
  std::string marker_;
};

std::string PartName(int part) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05d.avro", part);
  return buf;
}

std::string LakeDir(const std::string& abs_dir, const DemoDataset& d) { return abs_dir + "/lake/v1/" + d.id; }

// Where the schema-mismatch dataset differs: a producer renamed `amount` to `amount_usd`.
std::shared_ptr<const Schema> MismatchSchema(const Schema& events) {
  std::vector<Field> fields = events.fields();
  for (Field& f : fields) {
    if (f.name == "amount") f.name = "amount_usd";
  }
  return std::make_shared<Schema>(std::move(fields));
}

class LakeWriter {
 public:
  LakeWriter(DemoEstate* estate, std::string abs_dir, FileSystem* fs)
      : estate_(estate), abs_dir_(std::move(abs_dir)), fs_(fs) {}

  Status Run() {
    std::vector<uint32_t> order(estate_->datasets.size());
    for (uint32_t i = 0; i < order.size(); ++i) {
      order[i] = i;
      total_ += estate_->datasets[i].bytes;
    }
    // Largest first, so that the threads finish together.
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return estate_->datasets[a].rows > estate_->datasets[b].rows; });
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k = next++; k < order.size() && !failed_.load(); k = next++) {
        Status st = WriteDataset(&estate_->datasets[order[k]]);
        if (!st.ok()) {
          MutexLock lock(&mu_);
          if (error_.ok()) error_ = st;
          failed_ = true;
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < estate_->options.threads; ++t) threads.emplace_back(work);
    work();
    for (std::thread& t : threads) t.join();
    MutexLock lock(&mu_);
    return error_;
  }

 private:
  Status WriteDataset(DemoDataset* d) {
    const std::string dir = LakeDir(abs_dir_, *d);
    GAGGLE_RETURN_IF_ERROR(fs_->CreateDirectories(dir));
    GAGGLE_ASSIGN_OR_RETURN(SyntheticData data,
                            SyntheticData::Make(DemoDataProfile(estate_->options), d->data_seed, d->bad_fraction));
    std::shared_ptr<const Schema> schema = data.schema();
    if (d->fault == DemoFault::kSchemaMismatch) schema = MismatchSchema(*schema);
    WriteOptions options;
    options.compression = d->compression;
    options.key_value_metadata = {{"gaggle.demo.dataset", d->id}, {"gaggle.demo.owner", d->team}};
    RecordBatch batch, out;
    uint64_t bytes = 0;
    for (int part = 0; part < d->parts; ++part) {
      // Parts continue one stream of rows (timestamps run on from part to part).
      const int64_t rows = d->rows / d->parts + (part < d->rows % d->parts ? 1 : 0);
      DeterministicSyncFileSystem sync_fs(fs_, d->data_seed * 1000 + static_cast<uint64_t>(part));
      const std::string path = dir + "/" + PartName(part);
      GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenWriter(path, Format::kAvro, schema, options, &sync_fs));
      uint64_t reported = 0;
      for (int64_t done = 0; done < rows;) {
        const size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(kBatchRows), rows - done));
        data.NextBatch(n, &batch);
        if (schema == batch.schema) {
          GAGGLE_RETURN_IF_ERROR(writer->Write(batch));
        } else {
          out.schema = schema;
          out.columns = std::move(batch.columns);
          Status st = writer->Write(out);
          batch.columns = std::move(out.columns);
          GAGGLE_RETURN_IF_ERROR(st);
        }
        done += static_cast<int64_t>(n);
        Progress(writer->bytes_written() - reported);
        reported = writer->bytes_written();
      }
      GAGGLE_RETURN_IF_ERROR(writer->Finish());
      Progress(writer->bytes_written() - reported);
      bytes += writer->bytes_written();
    }
    d->bytes = bytes;
    return Status::OK();
  }

  void Progress(uint64_t more) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    done_ += more;
    if (estate_->options.progress) estate_->options.progress(done_, std::max(total_, done_));
  }

  DemoEstate* estate_;
  const std::string abs_dir_;
  FileSystem* fs_;
  uint64_t total_ = 0;
  std::atomic<bool> failed_{false};
  Mutex mu_;
  uint64_t done_ GUARDED_BY(mu_) = 0;
  Status error_ GUARDED_BY(mu_);
};

// ---- catalog ----

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string Words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

const char* kLayerStage[] = {"raw", "clean", "enriched", "daily", "aggregated", "mart", "report", "KPI"};

std::string Document(const std::function<void(YAML::Emitter&)>& body) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "backstage.io/v1alpha1";
  body(out);
  out << YAML::EndMap;
  return std::string("---\n") + out.c_str() + "\n";
}

void Refs(YAML::Emitter& out, const char* key, const std::vector<std::string>& refs) {
  if (refs.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const std::string& r : refs) out << r;
  out << YAML::EndSeq;
}

std::string DatasetDocument(const DemoEstate& e, const DemoDataset& d, const std::vector<std::string>& dependency_of,
                            const std::string& abs_dir, const std::string& schema_text) {
  return Document([&](YAML::Emitter& out) {
    out << YAML::Key << "kind" << YAML::Value << "Resource";
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << d.id;
    out << YAML::Key << "title" << YAML::Value
        << Capitalized(d.domain) + " " + Words(d.noun) + " (" + kLayerStage[d.layer] + ")";
    std::string what = d.layer == 0 ? "Raw " + Words(d.noun) + " events as landed from the " + d.domain + " producers"
                                    : Capitalized(kLayerStage[d.layer]) + " " + Words(d.noun) + ", derived from " +
                                          std::to_string(d.upstream.size()) + " upstream dataset" +
                                          (d.upstream.size() == 1 ? "" : "s");
    out << YAML::Key << "description" << YAML::Value << what + "; refreshed " + d.cadence + ".";
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "domain" << YAML::Value << d.domain;
    out << YAML::Key << "layer" << YAML::Value << kLayerStage[d.layer];
    out << YAML::EndMap;
    out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "gaggle.dev/uri" << YAML::Value << "file://" + LakeDir(abs_dir, d) + "/";
    out << YAML::Key << "gaggle.dev/format" << YAML::Value << "avro";
    out << YAML::Key << "gaggle.dev/schema" << YAML::Value << YAML::DoubleQuoted << schema_text;
    out << YAML::Key << "gaggle.dev/schema-version" << YAML::Value << YAML::DoubleQuoted << "1";
    out << YAML::Key << "gaggle.dev/tier" << YAML::Value << TierName(d.tier);
    out << YAML::Key << "gaggle.dev/cadence" << YAML::Value << d.cadence;
    out << YAML::Key << "gaggle.dev/size" << YAML::Value << YAML::DoubleQuoted << std::to_string(d.bytes);
    out << YAML::EndMap;
    out << YAML::EndMap;
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << "dataset";
    out << YAML::Key << "lifecycle" << YAML::Value << "production";
    out << YAML::Key << "owner" << YAML::Value << "group:default/" + d.team;
    std::vector<std::string> depends_on;
    for (size_t j = 0; j < d.upstream.size(); ++j) {
      if (!d.declared_by_upstream[j]) depends_on.push_back("resource:default/" + e.datasets[d.upstream[j]].id);
    }
    Refs(out, "dependsOn", depends_on);
    Refs(out, "dependencyOf", dependency_of);
    out << YAML::EndMap;
  });
}

std::string ConsumerDocument(const DemoEstate& e, const DemoConsumer& c) {
  return Document([&](YAML::Emitter& out) {
    out << YAML::Key << "kind" << YAML::Value << "Component";
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << c.name;
    out << YAML::Key << "description" << YAML::Value
        << std::string(c.type == "ml-model" ? "An ML model" : "A " + c.type) + " of " + c.team + " reading " +
               std::to_string(c.reads.size()) + " dataset" + (c.reads.size() == 1 ? "" : "s") + ".";
    out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
    std::string queries;
    for (const std::string& q : c.queries) queries += (queries.empty() ? "" : "\n") + q;
    out << YAML::Key << "gaggle.dev/queries" << YAML::Value << YAML::Literal << queries;
    out << YAML::EndMap;
    out << YAML::EndMap;
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << c.type;
    out << YAML::Key << "lifecycle" << YAML::Value << "production";
    out << YAML::Key << "owner" << YAML::Value << "group:default/" + c.team;
    std::vector<std::string> refs;
    for (uint32_t r : c.reads) refs.push_back("resource:default/" + e.datasets[r].id);
    Refs(out, "dependsOn", refs);
    out << YAML::EndMap;
  });
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", fraction * 100);
  return buf;
}

// Double-quoted YAML scalar.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string AbsoluteDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);
  std::string s = ec ? dir : p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> DemoCatalogFiles(const DemoEstate& e, const std::string& abs_dir) {
  std::map<uint32_t, std::vector<std::string>> dependency_of;
  for (const DemoDataset& d : e.datasets) {
    for (size_t j = 0; j < d.upstream.size(); ++j) {
      if (d.declared_by_upstream[j]) dependency_of[d.upstream[j]].push_back("resource:default/" + d.id);
    }
  }
  const std::string schema_text = DemoSchemaAsRead(e.options);
  std::vector<std::string> teams;
  std::map<std::string, std::string> text;
  for (uint32_t i = 0; i < e.datasets.size(); ++i) {
    const DemoDataset& d = e.datasets[i];
    if (!text.count(d.team)) teams.push_back(d.team);
    text[d.team] += DatasetDocument(e, d, dependency_of[i], abs_dir, schema_text);
  }
  for (const DemoConsumer& c : e.consumers) {
    if (!text.count(c.team)) teams.push_back(c.team);
    text[c.team] += ConsumerDocument(e, c);
  }
  std::sort(teams.begin(), teams.end());
  std::vector<std::pair<std::string, std::string>> files;
  std::string groups = "# The teams that own the demo estate's datasets and services.\n";
  for (const std::string& t : teams) {
    groups += Document([&](YAML::Emitter& out) {
      out << YAML::Key << "kind" << YAML::Value << "Group";
      out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t
          << YAML::EndMap;
      out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "team"
          << YAML::Key << "children" << YAML::Value << YAML::Flow << YAML::BeginSeq << YAML::EndSeq << YAML::EndMap;
    });
  }
  std::string root = "# The demo estate's catalog root: one file per team (gaggle generate-estate).\n" +
                     Document([&](YAML::Emitter& out) {
                       out << YAML::Key << "kind" << YAML::Value << "Location";
                       out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
                           << YAML::Value << "demo-estate" << YAML::EndMap;
                       out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
                       out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq << "./groups.yaml";
                       for (const std::string& t : teams) out << "./" + t + ".yaml";
                       out << YAML::EndSeq << YAML::EndMap;
                     });
  files.emplace_back("catalog-info.yaml", root);
  files.emplace_back("groups.yaml", groups);
  for (const std::string& t : teams) {
    files.emplace_back(t + ".yaml", "# Datasets and consumers owned by " + t + ".\n" + text[t]);
  }
  return files;
}

std::string DemoMigrationSpecText(const DemoEstate& e, const std::string& abs_dir) {
  const std::string seed = std::to_string(e.options.seed);
  return "# The demo migration (gaggle generate-estate): every v1 Avro dataset of the estate\n"
         "# becomes typed Parquet. Text timestamps and amounts are cast, two columns renamed,\n"
         "# the unused legacy_flag dropped; refunds (negative amounts) are filtered out and\n"
         "# records whose amount cannot be parsed are dead-lettered, up to 1% per dataset.\n"
         "name: events-v2\n"
         "version: 2\n"
         "agent: {builtin: transform}\n"
         "transform:\n"
         "  rename: {user_id: account_id, ts: event_time}\n"
         "  cast: {amount: double, event_time: timestamp}\n"
         "  drop: [legacy_flag]\n"
         "  add: {source_system: {type: string, default: \"lake-v1\"}}\n"
         "  derive: {amount_cents: \"amount * 100\", is_large: \"amount >= 1000\"}\n"
         "  filter: \"amount >= 0\"\n"
         "  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, "
         "session: string}\n"
         "  required: [account_id]\n"
         "target:\n"
         "  format: parquet\n"
         "  compression: zstd\n"
         "  row_group_rows: 1000000\n"
         "  uri: " +
         Quoted("file://" + abs_dir + "/lake/v2/{name}/") +
         "\n"
         "dead_letter: {max_fraction: " +
         Percent(kDemoDeadLetterMaxFraction) +
         "}\n"
         "select:\n"
         "  match: {format: avro, schema_version: 1}\n"
         "rollout:\n"
         "  stages: [5%, 25%, 50%, 100%]\n"
         "  canary: {tier: [low]}\n"
         "  seed: " +
         seed +
         "\n"
         "# The machine has 2 cores: two agents at a time.\n"
         "fleet:\n"
         "  concurrency: 2\n"
         "  timeout: 20s\n"
         "  retries: {max: 3, initial: 200ms, factor: 2, max_delay: 2s, jitter: full}\n"
         "gates:\n"
         "  row_count_tolerance: 1%\n"
         "  checksum: true\n"
         "  distribution: {ks_max: 0.05, category_tv_max: 0.05, null_rate_delta_max: 0.01}\n"
         "  max_dlq_fraction: " +
         Percent(kDemoDeadLetterMaxFraction) +
         "\n"
         "  # Two planted datasets fail for good (see README.txt); they sit in the last stage.\n"
         "  max_failed_datasets: 2%\n"
         "# The final gate: 20 consumer queries, rewritten for the new columns and for the new\n"
         "# tables' names (v2.<name>), must give the same answers on the new data; then the\n"
         "# catalog is cut over and the v1 data kept for 7 days (gaggle gc deletes it after).\n"
         "verify: {enabled: true, sample: 20, seed: " +
         seed +
         ", table: \"v{version}.{name}\"}\n"
         "retention: 7d\n";
}

std::string DemoReadmeText(const DemoEstate& e, const DemoEstateSummary& s) {
  auto mb = [](uint64_t b) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(b) / 1e6);
    return std::string(buf);
  };
  const DemoDataset& too_many = e.datasets[e.too_many_bad_records];
  const DemoDataset& mismatch = e.datasets[e.schema_mismatch];
  const DemoDataset& stall = e.datasets[e.stall_once];
  std::string t;
  t += "gaggle demo estate (gaggle generate-estate --datasets " + std::to_string(e.options.datasets) + " --seed " +
       std::to_string(e.options.seed) + ")\n\n";
  t += "catalog/         Backstage descriptors: " + std::to_string(s.datasets) + " datasets in " +
       std::to_string(s.layers) + " lineage layers (" + std::to_string(s.dataset_edges) + " edges), " +
       std::to_string(s.consumers) + " services and dashboards with " + std::to_string(s.queries) + " queries\n";
  t += "lake/v1/<id>/    Avro data (" + std::string(DemoDataProfile(e.options)) + " profile), " + mb(s.bytes) + " in " +
       std::to_string(s.files) + " files, " + std::to_string(s.rows) + " rows\n";
  t += e.options.profile == "nested"
           ? "migration.yaml   events-nested-v2: Avro v1 -> Parquet v2 under lake/v2/ (device rebuilt as a struct "
             "with renamed fields, its model lifted out), stages 5/25/50/100%\n"
           : "migration.yaml   events-v2: Avro v1 -> Parquet v2 under lake/v2/, stages 5/25/50/100%\n";
  t += "faults.env       GAGGLE_INJECT_FAULTS for the fleet's stall-once drill\n\n";
  t += "Planted faults:\n";
  t += "  bad records, dead-lettered within the " + Percent(kDemoDeadLetterMaxFraction) + " budget (" +
       std::to_string(e.bad_records.size()) + " datasets):\n";
  for (uint32_t i : e.bad_records) {
    const DemoDataset& d = e.datasets[i];
    t += "    " + d.id + "  " + Percent(d.bad_fraction) + " of " + std::to_string(d.rows) + " rows\n";
  }
  t += "  too many bad records (" + Percent(too_many.bad_fraction) + " > dead_letter.max_fraction " +
       Percent(kDemoDeadLetterMaxFraction) + "; fails for good):\n    " + too_many.id + "\n";
  t += "  schema mismatch (its files have amount_usd instead of amount; transform.source_schema fails):\n    " +
       mismatch.id + "\n";
  t += "  stalls once (GAGGLE_INJECT_FAULTS=stall-once:" + stall.id +
       "; times out after the fleet timeout, the retry succeeds):\n    " + stall.id + " (" + mb(stall.bytes) + ")\n";
  return t;
}

Result<DemoEstateSummary> WriteDemoEstate(DemoEstate* estate, const std::string& dir, FileSystem* fs) {
  const auto start = std::chrono::steady_clock::now();
  const std::string abs = AbsoluteDir(dir);
  for (const char* name : {"catalog", "lake", "migration.yaml", "README.txt", "faults.env"}) {
    if (fs->Exists(abs + "/" + name)) {
      return Status::AlreadyExists(abs + "/" + name + " exists: generate the estate into a new directory");
    }
  }
  GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(abs + "/catalog"));
  if (estate->options.write_data) {
    GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(abs + "/lake/v1"));
    GAGGLE_RETURN_IF_ERROR(LakeWriter(estate, abs, fs).Run());
  }
  DemoEstateSummary s;
  s.dir = abs;
  s.datasets = estate->datasets.size();
  s.layers = static_cast<size_t>(estate->layers);
  s.dataset_edges = estate->dataset_edges;
  s.consumers = estate->consumers.size();
  s.consumer_edges = estate->consumer_edges;
  for (const DemoConsumer& c : estate->consumers) s.queries += c.queries.size();
  for (const DemoDataset& d : estate->datasets) {
    s.files += estate->options.write_data ? static_cast<size_t>(d.parts) : 0;
    s.rows += d.rows;
    s.bytes += d.bytes;
  }
  for (const auto& [name, text] : DemoCatalogFiles(*estate, abs)) {
    GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(fs, abs + "/catalog/" + name, text));
  }
  GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(fs, abs + "/migration.yaml",
                                             estate->options.profile == "nested"
                                                 ? DemoNestedMigrationSpecText(*estate, abs)
                                                 : DemoMigrationSpecText(*estate, abs)));
  const std::string stall = estate->datasets[estate->stall_once].id;
  GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(
      fs, abs + "/faults.env",
      "# The fleet's fault drill for the demo: this dataset's agent stalls once, times out and is retried.\n"
      "GAGGLE_INJECT_FAULTS=stall-once:" +
          stall + "\n"));
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(fs, abs + "/README.txt", DemoReadmeText(*estate, s)));
  return s;
}

Result<DemoEstateSummary> GenerateDemoEstate(const std::string& dir, const DemoEstateOptions& options,
                                             DemoEstate* estate, FileSystem* fs) {
  GAGGLE_ASSIGN_OR_RETURN(DemoEstate designed, DesignDemoEstate(options));
  auto summary = WriteDemoEstate(&designed, dir, fs);
  if (estate != nullptr) *estate = std::move(designed);
  return summary;
}

}  // namespace gaggle
