// libcurl easy handles behind HttpClient.
#include "storage/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstring>

namespace gaggle {
namespace {

// Idle handles kept for reuse; more concurrent callers get fresh ones that are freed after.
constexpr size_t kMaxIdleHandles = 16;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  const HttpRequest* request;
  HttpResponse* response;
  size_t max_buffered;
  size_t sent = 0;
  bool overflow = false;
  std::string overflow_what;
  CURL* curl;
};

size_t ReadBody(char* dest, size_t size, size_t nitems, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  size_t n = std::min(size * nitems, ex->request->body.size() - ex->sent);
  std::memcpy(dest, ex->request->body.data() + ex->sent, n);
  ex->sent += n;
  return n;
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  size_t n = size * nmemb;
  long status = 0;
  curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &status);
  bool to_sink = ex->request->sink != nullptr && status >= 200 && status < 300;
  if (to_sink) {
    if (ex->response->body_bytes + n > ex->request->sink_capacity) {
      ex->overflow = true;
      ex->overflow_what = "more bytes than the " + std::to_string(ex->request->sink_capacity) + " asked for";
      return 0;  // aborts the transfer
    }
    std::memcpy(ex->request->sink + ex->response->body_bytes, data, n);
  } else {
    if (ex->response->body.size() + n > ex->max_buffered) {
      ex->overflow = true;
      ex->overflow_what = "a body larger than " + std::to_string(ex->max_buffered) + " bytes";
      return 0;
    }
    ex->response->body.append(data, n);
  }
  ex->response->body_bytes += n;
  return n;
}

size_t ReadHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  std::string_view line(data, size * nitems);
  if (line.starts_with("HTTP/")) {
    ex->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return line.size();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  ex->response->headers[name] = std::string(value);
  return line.size();
}

// Strips the query string: URLs are named in errors, and queries may carry upload ids.
std::string UrlForMessage(const std::string& url) { return url.substr(0, url.find('?')); }

Status TransportError(CURLcode code, const HttpRequest& r, const char* detail) {
  std::string what = r.method + " " + UrlForMessage(r.url) + ": " + (detail[0] ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return Status::Timeout(what);
    case CURLE_PARTIAL_FILE: return Status::IOError(what + " (the body ended before its Content-Length: truncated)");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return Status::InvalidArgument(what);
    default: return Status::IOError(what);
  }
}

}  // namespace

std::string HttpResponse::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) { GlobalInit(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the handle's live connections and DNS cache
  HttpResponse response;
  Exchange ex{&request, &response, options_.max_buffered_body, 0, false, "", curl};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);

  bool has_body = request.method == "PUT" || request.method == "POST";
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &ex);
  }
  struct curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  // No "Expect: 100-continue" round trip, and no default form content type on POST.
  list = curl_slist_append(list, "Expect:");
  if (request.method == "POST") list = curl_slist_append(list, "Content-Type:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    // A failed connection may be half-read; never hand it to the next request.
    curl_easy_cleanup(curl);
    if (ex.overflow) {
      return Status::Corruption(request.method + " " + UrlForMessage(request.url) + ": the server sent " +
                                ex.overflow_what);
    }
    return TransportError(code, request, errbuf);
  }
  Release(curl);
  std::string length = response.Header("content-length");
  if (request.method != "HEAD" && !length.empty() && std::to_string(response.body_bytes) != length) {
    return Status::IOError(request.method + " " + UrlForMessage(request.url) + ": received " +
                           std::to_string(response.body_bytes) + " bytes of a " + length + "-byte body (truncated)");
  }
  return response;
}

}  // namespace gaggle
