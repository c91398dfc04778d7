#include "server/http_json.h"

namespace gaggle::server {

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kSchemaMismatch:
    case StatusCode::kTypeError:
    case StatusCode::kCorruption: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict: return 409;
    case StatusCode::kUnsupported: return 501;
    case StatusCode::kIOError:
    case StatusCode::kTimeout: return 503;
    default: return 500;
  }
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

Result<JsonBody> JsonBody::Parse(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return JsonBody(nlohmann::json::object(), "");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("body: invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  if (!j.is_object()) return Status::InvalidArgument("body: expected a JSON object, got " + std::string(j.type_name()));
  return JsonBody(std::move(j), "");
}

Result<std::optional<std::string>> JsonBody::OptString(const std::string& field, size_t max_len) {
  read_.insert(field);
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Status::InvalidArgument(Name(field) + ": expected a string, got " + std::string(it->type_name()));
  }
  std::string v = it->get<std::string>();
  if (v.size() > max_len) {
    return Status::InvalidArgument(Name(field) + ": longer than " + std::to_string(max_len) + " bytes");
  }
  return std::optional<std::string>(std::move(v));
}

Result<std::string> JsonBody::String(const std::string& field, size_t max_len) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(field, max_len));
  if (!v || v->empty()) return Status::InvalidArgument(Name(field) + ": required");
  return *v;
}

Result<std::optional<int64_t>> JsonBody::OptInt(const std::string& field, int64_t min, int64_t max) {
  read_.insert(field);
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) {
    return Status::InvalidArgument(Name(field) + ": expected an integer, got " + std::string(it->type_name()));
  }
  // Unsigned values beyond int64 arrive as number_unsigned; they are out of range either way.
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return Status::InvalidArgument(Name(field) + ": out of range");
  }
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument(Name(field) + ": must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + " (got " + std::to_string(v) + ")");
  }
  return std::optional<int64_t>(v);
}

Result<std::optional<bool>> JsonBody::OptBool(const std::string& field) {
  read_.insert(field);
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return Status::InvalidArgument(Name(field) + ": expected true or false, got " + std::string(it->type_name()));
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::vector<std::string>> JsonBody::StringList(const std::string& field, size_t max_items) {
  read_.insert(field);
  std::vector<std::string> out;
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return out;
  if (!it->is_array()) {
    return Status::InvalidArgument(Name(field) + ": expected an array of strings, got " + std::string(it->type_name()));
  }
  if (it->size() > max_items) {
    return Status::InvalidArgument(Name(field) + ": more than " + std::to_string(max_items) + " items");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& v = (*it)[i];
    if (!v.is_string()) {
      return Status::InvalidArgument(Name(field) + "[" + std::to_string(i) + "]: expected a string, got " +
                                     std::string(v.type_name()));
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::optional<JsonBody>> JsonBody::OptObject(const std::string& field) {
  read_.insert(field);
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<JsonBody>();
  if (!it->is_object()) {
    return Status::InvalidArgument(Name(field) + ": expected an object, got " + std::string(it->type_name()));
  }
  return std::optional<JsonBody>(JsonBody(*it, Name(field) + "."));
}

Status JsonBody::Finish() const {
  std::vector<std::string> unknown;
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (!read_.count(it.key())) unknown.push_back(it.key());
  }
  if (unknown.empty()) return Status::OK();
  std::string allowed;
  for (const std::string& f : read_) allowed += (allowed.empty() ? "" : ", ") + f;
  return Status::InvalidArgument(Name(unknown.front()) +
                                 ": unknown field (allowed: " + (allowed.empty() ? "none" : allowed) + ")");
}

}  // namespace gaggle::server
