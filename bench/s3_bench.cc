// s3_bench: gaggle's S3 client on the clock, for bench/run-s3.sh (which runs boto3 on the
// same files in the same run and prints the ratios). Locations are s3:// URIs resolved
// like the rest of gaggle resolves them (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
//   s3_bench mkbucket s3://BUCKET
//   s3_bench upload LOCAL_FILE s3://BUCKET/KEY       multipart upload, bounded memory
//   s3_bench download s3://BUCKET/KEY LOCAL_FILE     sequential chunked GETs
//   s3_bench column s3://BUCKET/KEY.parquet INDEX    one column of every row group, decoded,
//                                                    through ranged GETs only
// Each prints one JSON line: {"seconds": S, "bytes": B, "requests": R, "rows": N}.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "columnar/column.h"
#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_footer.h"
#include "storage/file_system_resolver.h"

namespace gaggle {
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Print(double seconds, uint64_t bytes, uint64_t requests, uint64_t rows) {
  std::printf("{\"seconds\": %.3f, \"bytes\": %llu, \"requests\": %llu, \"rows\": %llu}\n", seconds,
              static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(requests),
              static_cast<unsigned long long>(rows));
}

Status Copy(SequentialFile* in, WritableFile* out, uint64_t* bytes) {
  std::string buf(8 << 20, '\0');
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, in->Read(buf.size(), reinterpret_cast<uint8_t*>(buf.data())));
    if (n == 0) break;
    GAGGLE_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), n)));
    *bytes += n;
  }
  return out->Close();
}

Status Transfer(FileSystemResolver* resolver, const std::string& from, const std::string& to) {
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation src, resolver->Resolve(from));
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation dst, resolver->Resolve(to));
  auto t0 = std::chrono::steady_clock::now();
  GAGGLE_ASSIGN_OR_RETURN(auto in, src.fs->OpenSequential(src.path));
  GAGGLE_ASSIGN_OR_RETURN(auto out, dst.fs->OpenWritable(dst.path));
  uint64_t bytes = 0;
  GAGGLE_RETURN_IF_ERROR(Copy(in.get(), out.get(), &bytes));
  Print(Since(t0), bytes, 0, 0);
  return Status::OK();
}

Status ReadColumn(FileSystemResolver* resolver, const std::string& uri, size_t index) {
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation loc, resolver->Resolve(uri));
  auto t0 = std::chrono::steady_clock::now();
  GAGGLE_ASSIGN_OR_RETURN(auto file, loc.fs->OpenRandomAccess(loc.path));
  GAGGLE_ASSIGN_OR_RETURN(parquet::ParquetFooter footer, parquet::ReadParquetFooter(*file));
  if (index >= footer.schema.leaves.size()) return Status::InvalidArgument("no column " + std::to_string(index));
  parquet::ParquetColumnDecoder decoder(file.get(), loc.path, footer.schema.leaves[index]);
  uint64_t rows = 0;
  int64_t first_row = 0;
  for (size_t g = 0; g < footer.metadata.row_groups.size(); ++g) {
    const auto& rg = footer.metadata.row_groups[g];
    GAGGLE_RETURN_IF_ERROR(
        decoder.StartChunk(rg.columns[index], static_cast<int>(g), first_row, rg.num_rows, footer.data_end));
    while (decoder.rows_left() > 0) {
      Column col(footer.schema.leaves[index].field.type);
      size_t n = static_cast<size_t>(std::min<int64_t>(decoder.rows_left(), 65536));
      GAGGLE_RETURN_IF_ERROR(decoder.Read(n, &col));
      rows += col.size();
    }
    first_row += rg.num_rows;
  }
  auto* s3 = dynamic_cast<S3RandomAccessFile*>(file.get());
  Print(Since(t0), s3 ? s3->bytes_fetched() : 0, s3 ? s3->requests() : 0, rows);
  return Status::OK();
}

Status Run(int argc, char** argv) {
  if (argc < 3) return Status::InvalidArgument("usage: s3_bench mkbucket|upload|download|column ARGS");
  std::string cmd = argv[1];
  ObjectStoreConfig config;
  config.io.write.part_size = 8 << 20;
  config.io.write.max_parts_in_flight = 4;
  config.io.read.chunk_size = 8 << 20;
  FileSystemResolver resolver(config);
  if (cmd == "mkbucket") {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(argv[2]));
    GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * fs, resolver.ObjectStore(uri.scheme));
    return fs->client()->CreateBucket(uri.bucket);
  }
  if (argc < 4) return Status::InvalidArgument("usage: s3_bench " + cmd + " FROM TO");
  if (cmd == "upload" || cmd == "download") return Transfer(&resolver, argv[2], argv[3]);
  if (cmd == "column") return ReadColumn(&resolver, argv[2], std::stoul(argv[3]));
  return Status::InvalidArgument("unknown command '" + cmd + "'");
}

}  // namespace
}  // namespace gaggle

int main(int argc, char** argv) {
  gaggle::Status st = gaggle::Run(argc, argv);
  if (!st.ok()) {
    std::cerr << "s3_bench: " << st.ToString() << std::endl;
    return 1;
  }
  return 0;
}
