// JSON over HTTP for the API: strict request bodies and uniform errors.
//  - JsonBody parses a request body that must be one JSON object; each field is read
//    once with its type checked, and Finish() refuses fields nobody read ("unknown
//    field 'x'"). Every error names the field.
//  - HttpStatusFor maps a Status to an HTTP status: InvalidArgument 400, NotFound 404, AlreadyExists/Conflict 409,
//  IOError/Timeout 503, the rest 500.
//  - The error body is {"error": {"code": "...", "message": "..."}}.
// Thread-safety: JsonBody is used by one request; the functions are pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle::server {

int HttpStatusFor(const Status& status);
std::string ErrorBody(const std::string& code, const std::string& message);

class JsonBody {
 public:
  // An empty body reads as {}. InvalidArgument for bad JSON (with the byte offset) or a
  // value that is not an object.
  static Result<JsonBody> Parse(const std::string& body);

  Result<std::optional<std::string>> OptString(const std::string& field, size_t max_len = 1 << 20);
  Result<std::string> String(const std::string& field, size_t max_len = 1 << 20);  // required
  Result<std::optional<int64_t>> OptInt(const std::string& field, int64_t min, int64_t max);
  Result<std::optional<bool>> OptBool(const std::string& field);
  Result<std::vector<std::string>> StringList(const std::string& field, size_t max_items);  // optional: []
  // An optional object (nullopt when absent), for nested filters.
  Result<std::optional<JsonBody>> OptObject(const std::string& field);
  // InvalidArgument naming the first field that was not read.
  Status Finish() const;

 private:
  explicit JsonBody(nlohmann::json j, std::string prefix) : j_(std::move(j)), prefix_(std::move(prefix)) {}
  std::string Name(const std::string& field) const { return prefix_ + field; }
  nlohmann::json j_;
  std::string prefix_;
  std::set<std::string> read_;
};

}  // namespace gaggle::server
