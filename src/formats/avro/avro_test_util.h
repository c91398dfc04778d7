// Test helpers shared by the Avro unit tests (test code only): a scratch
// directory, reading a whole file into one batch, and hand-built containers.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/avro/avro_container.h"
#include "formats/avro/avro_reader.h"
#include "formats/avro/avro_writer.h"

namespace gaggle::avro_test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = ::testing::TempDir() + "gaggle_avro_XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = p != nullptr ? p : "/tmp";
  }
  ~ScratchDir() { (void)FileSystem::Default()->RemoveAll(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void Spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Reads every batch of an Avro file and concatenates them. Records each batch's size.
inline Result<RecordBatch> ReadAll(const std::string& path, size_t batch_rows = 64 * 1024,
                                   std::vector<size_t>* batch_sizes = nullptr, FileSystem* fs = FileSystem::Default()) {
  ReadOptions options;
  options.batch_rows = batch_rows;
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenAvroReader(fs, path, options));
  RecordBatch all = RecordBatch::Empty(reader->schema());
  RecordBatch batch;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    GAGGLE_RETURN_IF_ERROR(batch.Validate());
    if (batch_sizes != nullptr) batch_sizes->push_back(batch.num_rows());
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      for (size_t r = 0; r < batch.num_rows(); ++r) all.columns[c].AppendFrom(batch.columns[c], r);
    }
  }
  return all;
}

inline Status WriteAll(const std::string& path, const RecordBatch& batch, Compression compression,
                       size_t chunk_rows = 0) {
  WriteOptions options;
  options.compression = compression;
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenAvroWriter(FileSystem::Default(), path, batch.schema, options));
  if (chunk_rows == 0) {
    GAGGLE_RETURN_IF_ERROR(writer->Write(batch));
  } else {
    for (size_t start = 0; start < batch.num_rows(); start += chunk_rows) {
      RecordBatch part = RecordBatch::Empty(batch.schema);
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        for (size_t r = start; r < std::min(batch.num_rows(), start + chunk_rows); ++r) {
          part.columns[c].AppendFrom(batch.columns[c], r);
        }
      }
      GAGGLE_RETURN_IF_ERROR(writer->Write(part));
    }
  }
  return writer->Finish();
}

inline avro::SyncMarker TestSync() {
  avro::SyncMarker s;
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(0xA0 + i);
  return s;
}

// A container with the given schema text, codec and raw (already encoded) blocks.
inline std::string Container(const std::string& schema_json, const std::vector<std::pair<int64_t, std::string>>& blocks,
                             const std::string& codec = "null") {
  avro::SyncMarker sync = TestSync();
  std::string out = avro::EncodeContainerHeader({{"avro.schema", schema_json}, {"avro.codec", codec}}, sync);
  for (const auto& [count, data] : blocks) {
    avro::AppendVarLong(&out, count);
    avro::AppendVarLong(&out, static_cast<int64_t>(data.size()));
    out += data;
    out.append(reinterpret_cast<const char*>(sync.data()), sync.size());
  }
  return out;
}

inline std::string Long(int64_t v) {
  std::string s;
  avro::AppendVarLong(&s, v);
  return s;
}

inline std::string Str(const std::string& v) { return Long(static_cast<int64_t>(v.size())) + v; }

}  // namespace gaggle::avro_test
