// Parquet through ObjectStoreFileSystem on a real S3 server (s3rver): gaggle's writer
// writes straight to an object (a multipart upload committed at Finish), gaggle's reader
// reads it back through ranged GETs, and one column of one row group is decoded with a
// handful of requests that fetch a small part of the object, not the whole file.
#include <gtest/gtest.h>

#include "columnar/synthetic_data.h"
#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_footer.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "storage/object_store_file_system.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

TEST(S3Parquet, WriterAndReaderWorkOnObjectsAndOneColumnNeedsOnlyItsBytes) {
  std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("gaggle-s3-pq-" + std::to_string(::getpid()));
  auto server = s3test::StartS3Server("s3rver", scratch.string());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto client = S3Client::Create(s3test::ClientOptionsFor(**server, (*server)->port));
  ASSERT_TRUE(client.ok());
  std::shared_ptr<S3Client> s3(std::move(*client));
  ASSERT_TRUE(s3->CreateBucket("lake").ok());
  ObjectStoreOptions io;
  io.write.part_size = 5 << 20;
  io.read.read_ahead = 64 << 10;
  ObjectStoreFileSystem fs(s3, "s3", io);
  const std::string uri = "s3://lake/table/part-0.parquet";

  auto data = SyntheticData::Make("bench", 7);
  ASSERT_TRUE(data.ok());
  WriteOptions wo;
  wo.compression = Compression::kSnappy;
  wo.row_group_rows = 100000;
  auto writer = OpenParquetWriter(&fs, uri, data->schema(), wo);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RecordBatch batch;
  const size_t kRows = 400000;
  std::vector<RecordBatch> written;
  for (size_t done = 0; done < kRows; done += 50000) {
    data->NextBatch(50000, &batch);
    ASSERT_TRUE((*writer)->Write(batch).ok());
    written.push_back(batch);
  }
  EXPECT_FALSE(fs.Exists(uri)) << "visible before Finish";
  ASSERT_TRUE((*writer)->Finish().ok());
  writer->reset();
  auto info = fs.Stat(uri);
  ASSERT_TRUE(info.ok());

  // The whole file back through the reader, value by value.
  auto reader = OpenParquetReader(&fs, uri, ReadOptions());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  size_t row = 0, mismatches = 0;
  RecordBatch got;
  while (true) {
    auto more = (*reader)->Next(&got);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    for (size_t i = 0; i < got.num_rows(); ++i, ++row) {
      const RecordBatch& src = written[row / 50000];
      for (size_t c = 0; c < got.num_columns(); ++c) {
        mismatches += got.columns[c].ValueToString(i) != src.columns[c].ValueToString(row % 50000);
      }
    }
  }
  EXPECT_EQ(row, kRows);
  EXPECT_EQ(mismatches, 0u);

  // One column of one row group: footer plus that chunk's pages.
  auto file = fs.OpenRandomAccess(uri);
  ASSERT_TRUE(file.ok());
  auto footer = parquet::ReadParquetFooter(**file);
  ASSERT_TRUE(footer.ok()) << footer.status().ToString();
  parquet::ParquetColumnDecoder decoder(file->get(), uri, footer->schema.leaves[0]);
  const auto& rg = footer->metadata.row_groups[1];
  ASSERT_TRUE(decoder.StartChunk(rg.columns[0], 1, 100000, rg.num_rows, footer->data_end).ok());
  Column ids(footer->schema.leaves[0].field.type);
  ASSERT_TRUE(decoder.Read(static_cast<size_t>(rg.num_rows), &ids).ok());
  ASSERT_EQ(ids.size(), 100000u);
  EXPECT_EQ(ids.ValueToString(0), written[2].columns[0].ValueToString(0));
  auto* s3file = static_cast<S3RandomAccessFile*>(file->get());
  uint64_t chunk_bytes = static_cast<uint64_t>(rg.columns[0].meta_data->total_compressed_size);
  std::cout << "[ parquet ] object " << info->size << " bytes; one column chunk of " << chunk_bytes
            << " bytes read with " << s3file->requests() << " GETs fetching " << s3file->bytes_fetched() << " bytes"
            << std::endl;
  EXPECT_LT(s3file->bytes_fetched(), info->size / 4) << "reading one column fetched most of the file";
  EXPECT_GE(s3file->bytes_fetched(), chunk_bytes);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
}

}  // namespace
}  // namespace gaggle
