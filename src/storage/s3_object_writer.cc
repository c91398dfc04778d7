#include "storage/s3_object_writer.h"

#include <algorithm>

namespace gaggle {
namespace {

// S3's limit on the number of parts of one upload.
constexpr int kMaxParts = 10000;

}  // namespace

S3ObjectWriter::S3ObjectWriter(S3Client* client, std::string bucket, std::string key, std::string path,
                               S3WriteOptions options)
    : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), path_(std::move(path)), options_(options) {
  options_.part_size = std::max<size_t>(options_.part_size, 1);
  options_.max_parts_in_flight = std::max(options_.max_parts_in_flight, 1);
}

S3ObjectWriter::~S3ObjectWriter() {
  if (state_ == State::kOpen) Abandon();
}

Status S3ObjectWriter::Fail(Status st) {
  if (state_ == State::kFailed) return error_;
  Abandon();
  error_ = st;
  return st;
}

void S3ObjectWriter::Abandon() {
  for (auto& p : in_flight_) p.etag.wait();  // the parts' threads use the client
  in_flight_.clear();
  if (!upload_id_.empty() && state_ != State::kCommitted) {
    (void)client_->AbortMultipartUpload(bucket_, key_, upload_id_);
  }
  if (state_ == State::kOpen) {
    state_ = State::kFailed;
    error_ = Status::Cancelled("write of '" + path_ + "' was abandoned before Close");
  }
}

Status S3ObjectWriter::Append(std::string_view data) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kCommitted) {
    return Status::InvalidArgument("append to '" + path_ + "' after Close or Sync: objects are immutable once written");
  }
  bytes_written_ += data.size();
  while (!data.empty()) {
    size_t take = std::min(data.size(), options_.part_size - buffer_.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() == options_.part_size) {
      if (Status st = StartPart(); !st.ok()) return Fail(st);
    }
  }
  return Status::OK();
}

Status S3ObjectWriter::StartPart() {
  if (upload_id_.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(upload_id_, client_->CreateMultipartUpload(bucket_, key_));
  }
  while (static_cast<int>(in_flight_.size()) >= options_.max_parts_in_flight) GAGGLE_RETURN_IF_ERROR(WaitOldest());
  int number = static_cast<int>(done_.size() + in_flight_.size()) + 1;
  if (number > kMaxParts) {
    return Status::Unsupported("'" + path_ + "' needs more than 10000 parts of " + std::to_string(options_.part_size) +
                               " bytes: raise the part size");
  }
  auto part = std::make_shared<std::string>();
  part->swap(buffer_);
  buffer_.reserve(options_.part_size);
  S3Client* client = client_;
  std::string bucket = bucket_, key = key_, id = upload_id_;
  in_flight_.push_back(
      {number, std::async(std::launch::async, [=] { return client->UploadPart(bucket, key, id, number, *part); })});
  return Status::OK();
}

Status S3ObjectWriter::WaitOldest() {
  InFlight p = std::move(in_flight_.front());
  in_flight_.erase(in_flight_.begin());
  Result<std::string> etag = p.etag.get();
  if (!etag.ok()) return etag.status();
  done_.push_back({p.part_number, *etag});
  return Status::OK();
}

Status S3ObjectWriter::Commit() {
  if (state_ == State::kCommitted) return Status::OK();
  if (state_ == State::kFailed) return error_;
  if (upload_id_.empty()) {
    // The whole object fits in one part: one PutObject, no multipart upload to clean up.
    Result<std::string> etag = client_->PutObject(bucket_, key_, buffer_);
    if (!etag.ok()) return Fail(etag.status());
    etag_ = *etag;
  } else {
    if (!buffer_.empty()) {
      if (Status st = StartPart(); !st.ok()) return Fail(st);
    }
    while (!in_flight_.empty()) {
      if (Status st = WaitOldest(); !st.ok()) return Fail(st);
    }
    Result<std::string> etag = client_->CompleteMultipartUpload(bucket_, key_, upload_id_, done_);
    if (!etag.ok()) return Fail(etag.status());
    etag_ = *etag;
  }
  buffer_.clear();
  buffer_.shrink_to_fit();
  state_ = State::kCommitted;
  return Status::OK();
}

}  // namespace gaggle
