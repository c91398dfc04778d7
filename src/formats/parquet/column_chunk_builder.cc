#include "formats/parquet/column_chunk_builder.h"

#include <climits>
#include <set>

#include "formats/compression.h"

namespace gaggle::parquet {

CompressionCodec CodecFor(Compression c) {
  switch (c) {
    case Compression::kNone: return CompressionCodec::kUncompressed;
    case Compression::kSnappy: return CompressionCodec::kSnappy;
    case Compression::kGzip: return CompressionCodec::kGzip;
    case Compression::kZstd: return CompressionCodec::kZstd;
    case Compression::kLz4Raw: return CompressionCodec::kLz4Raw;
    case Compression::kBrotli: return CompressionCodec::kBrotli;
    case Compression::kLz4Hadoop: return CompressionCodec::kLz4;
  }
  return CompressionCodec::kUncompressed;
}

ColumnChunkBuilder::ColumnChunkBuilder(PhysicalType type, std::string path, Compression codec, int level)
    : type_(type), path_(std::move(path)), codec_(codec), level_(level) {}

void ColumnChunkBuilder::Reset() {
  dictionary_page_.clear();
  data_pages_.clear();
  uncompressed_total_ = 0;
  data_page_count_ = 0;
  data_page_encodings_.clear();
  has_levels_ = false;
}

Status ColumnChunkBuilder::Compress(std::string_view levels, std::string_view values, std::string_view* out) {
  std::string_view body = values;
  if (!levels.empty()) {
    body_.assign(levels);
    body_.append(values);
    body = body_;
  }
  GAGGLE_RETURN_IF_ERROR(gaggle::Compress(codec_, level_, body, &compressed_));
  *out = compressed_;
  return Status::OK();
}

void ColumnChunkBuilder::AppendPage(std::string* dest, const PageHeader& header, std::string_view levels,
                                    std::string_view values, std::string_view compressed, bool raw) {
  size_t before = dest->size();
  SerializeTo(header, dest);
  uncompressed_total_ += static_cast<int64_t>(dest->size() - before) + header.uncompressed_page_size;
  if (raw) {
    dest->append(levels);
    dest->append(values);
  } else {
    dest->append(compressed);
  }
}

Status ColumnChunkBuilder::AddDataPage(std::string_view levels, std::string_view values, int32_t num_values,
                                       Encoding encoding, const Statistics* stats) {
  size_t raw_size = levels.size() + values.size();
  // The page header stores sizes as i32.
  if (raw_size > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("Parquet column '" + path_ + "': a data page of " + std::to_string(raw_size) +
                                   " bytes exceeds the format's 2 GiB page limit");
  }
  bool raw = codec_ == Compression::kNone;
  std::string_view compressed;
  if (!raw) GAGGLE_RETURN_IF_ERROR(Compress(levels, values, &compressed));
  size_t stored = raw ? raw_size : compressed.size();
  if (stored > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("Parquet column '" + path_ + "': compressed page exceeds 2 GiB");
  }
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = static_cast<int32_t>(raw_size);
  h.compressed_page_size = static_cast<int32_t>(stored);
  DataPageHeader& d = h.data_page_header.emplace();
  d.num_values = num_values;
  d.encoding = encoding;
  d.definition_level_encoding = Encoding::kRle;
  d.repetition_level_encoding = Encoding::kRle;
  if (stats != nullptr) d.statistics = *stats;
  AppendPage(&data_pages_, h, levels, values, compressed, raw);
  ++data_page_count_;
  ++data_page_encodings_[encoding];
  has_levels_ = has_levels_ || !levels.empty();
  return Status::OK();
}

Status ColumnChunkBuilder::SetDictionaryPage(std::string_view plain_values, int32_t num_entries) {
  if (plain_values.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("Parquet column '" + path_ + "': dictionary page exceeds 2 GiB");
  }
  bool raw = codec_ == Compression::kNone;
  std::string_view compressed;
  if (!raw) GAGGLE_RETURN_IF_ERROR(Compress({}, plain_values, &compressed));
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = static_cast<int32_t>(plain_values.size());
  h.compressed_page_size = static_cast<int32_t>(raw ? plain_values.size() : compressed.size());
  h.dictionary_page_header = DictionaryPageHeader{num_entries, Encoding::kPlain, std::nullopt};
  dictionary_page_.clear();
  AppendPage(&dictionary_page_, h, {}, plain_values, compressed, raw);
  return Status::OK();
}

void ColumnChunkBuilder::Finish(std::vector<std::string_view>* pieces, ColumnMetaData* meta) const {
  pieces->clear();
  if (!dictionary_page_.empty()) pieces->push_back(dictionary_page_);
  pieces->push_back(data_pages_);
  *meta = ColumnMetaData{};
  meta->type = type_;
  meta->path_in_schema = path_in_schema_.empty() ? std::vector<std::string>{path_} : path_in_schema_;
  meta->codec = CodecFor(codec_);
  meta->total_uncompressed_size = uncompressed_total_;
  meta->total_compressed_size = static_cast<int64_t>(dictionary_page_.size() + data_pages_.size());
  std::set<Encoding> encodings;
  if (!dictionary_page_.empty()) {
    meta->dictionary_page_offset = 0;
    encodings.insert(Encoding::kPlain);
    meta->encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  }
  meta->data_page_offset = static_cast<int64_t>(dictionary_page_.size());
  if (has_levels_) encodings.insert(Encoding::kRle);
  for (const auto& [encoding, count] : data_page_encodings_) {
    encodings.insert(encoding);
    meta->encoding_stats.push_back({PageType::kDataPage, encoding, count});
  }
  meta->encodings.assign(encodings.begin(), encodings.end());
}

}  // namespace gaggle::parquet
