#include "formats/parquet/parquet_footer.h"

#include <cstring>
#include <string>

namespace gaggle::parquet {
namespace {

// Reading the tail in one go usually catches the whole footer of a small or medium file.
constexpr uint64_t kTailGuess = 64 * 1024;

Status Corrupt(const RandomAccessFile& file, uint64_t offset, const std::string& what) {
  return Status::Corruption("Parquet file '" + file.path() + "', byte offset " + std::to_string(offset) + ": " + what);
}

Status ReadExact(const RandomAccessFile& file, uint64_t offset, size_t n, std::string* out) {
  out->resize(n);
  if (n == 0) return Status::OK();
  GAGGLE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(offset, n, reinterpret_cast<uint8_t*>(out->data())));
  if (got != n) return Corrupt(file, offset + got, "file ends early (it shrank while being read?)");
  return Status::OK();
}

}  // namespace

Result<ParquetFooter> ReadParquetFooter(const RandomAccessFile& file) {
  ParquetFooter f;
  f.file_size = file.size();
  const uint64_t size = f.file_size;
  if (size < 12) {
    return Corrupt(file, 0, "file of " + std::to_string(size) + " bytes is too small to be Parquet (at least 12)");
  }
  uint64_t tail_size = std::min(size - 4, kTailGuess);
  std::string tail;
  GAGGLE_RETURN_IF_ERROR(ReadExact(file, size - tail_size, static_cast<size_t>(tail_size), &tail));
  std::string_view end_magic = std::string_view(tail).substr(tail.size() - 4);
  // An encrypted footer starts the file with PARE too: this check comes before the leading magic.
  if (end_magic == "PARE") {
    return Status::Unsupported("Parquet file '" + file.path() +
                               "' is encrypted (magic PARE): encrypted Parquet is not supported");
  }
  std::string head;
  GAGGLE_RETURN_IF_ERROR(ReadExact(file, 0, 4, &head));
  if (head != "PAR1") return Corrupt(file, 0, "bad magic: the file does not start with PAR1");
  if (end_magic != "PAR1") return Corrupt(file, size - 4, "bad magic: the file does not end with PAR1");
  uint32_t footer_len = 0;
  std::memcpy(&footer_len, tail.data() + tail.size() - 8, 4);
  if (footer_len > size - 12) {
    return Corrupt(file, size - 8,
                   "footer length " + std::to_string(footer_len) + " reaches past the start of the file (" +
                       std::to_string(size) + " bytes)");
  }
  f.data_end = size - 8 - footer_len;
  std::string footer;
  if (footer_len + 8 <= tail_size) {
    footer = tail.substr(static_cast<size_t>(tail_size - 8 - footer_len), footer_len);
  } else {
    GAGGLE_RETURN_IF_ERROR(ReadExact(file, f.data_end, footer_len, &footer));
  }
  Status st = Parse(footer, &f.metadata);
  if (!st.ok()) return Corrupt(file, f.data_end, "bad footer (offsets relative to the footer): " + st.message());
  FileMetaData& m = f.metadata;
  if (m.has_encryption_algorithm) {
    return Status::Unsupported("Parquet file '" + file.path() +
                               "' is encrypted (plaintext footer): encrypted Parquet is not supported");
  }

  Result<ParquetSchema> schema = FromParquetSchema(m.schema);
  if (!schema.ok()) return schema.status().WithContext("Parquet file '" + file.path() + "'");
  f.schema = std::move(schema).value();

  if (m.num_rows < 0) return Corrupt(file, f.data_end, "negative row count " + std::to_string(m.num_rows));
  int64_t total = 0;
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    const RowGroup& rg = m.row_groups[g];
    if (rg.num_rows < 0 || __builtin_add_overflow(total, rg.num_rows, &total)) {
      return Corrupt(file, f.data_end,
                     "row group " + std::to_string(g) + " has a bad row count " + std::to_string(rg.num_rows));
    }
    if (rg.columns.size() != f.schema.leaves.size()) {
      return Corrupt(file, f.data_end,
                     "row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                         " column chunks but the schema has " + std::to_string(f.schema.leaves.size()) + " columns");
    }
  }
  // Early parquet-rs (0.3) wrote 0 here whatever the row groups held; readers go by the row groups.
  if (m.num_rows == 0) m.num_rows = total;
  if (total != m.num_rows) {
    return Corrupt(
        file, f.data_end,
        "row groups hold " + std::to_string(total) + " rows but the footer says " + std::to_string(m.num_rows));
  }
  return f;
}

bool WritesV2PagesCompressedAnyway(const FileMetaData& metadata) {
  // Arrow 3.0 renamed the writer "parquet-cpp-arrow version 3.0.0" and fixed the flag.
  static constexpr std::string_view kOldWriter = "parquet-cpp version ";
  if (!metadata.created_by || metadata.created_by->rfind(kOldWriter, 0) != 0) return false;
  std::string_view version = std::string_view(*metadata.created_by).substr(kOldWriter.size());
  size_t digits = 0;
  while (digits < version.size() && version[digits] >= '0' && version[digits] <= '9') ++digits;
  return digits == 1 && version[0] < '2';  // major version 0 or 1
}

}  // namespace gaggle::parquet
