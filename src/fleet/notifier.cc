#include "fleet/notifier.h"

#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace gaggle {

nlohmann::json NotificationPayload(const Notification& n) {
  nlohmann::json body;
  body["text"] = "[gaggle] " + n.migration + ": " + n.text;
  body["gaggle"] = n.fields;
  body["gaggle"]["event"] = n.event;
  body["gaggle"]["migration"] = n.migration;
  return body;
}

WebhookNotifier::WebhookNotifier(std::string url, Options options, std::function<void(const std::string&)> log)
    : options_(options), log_(std::move(log)) {
  size_t scheme_end = url.find("://");
  size_t path_start = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  scheme_host_port_ = path_start == std::string::npos ? url : url.substr(0, path_start);
  path_ = path_start == std::string::npos ? "/" : url.substr(path_start);
  worker_ = std::thread([this] { Run(); });
}

WebhookNotifier::~WebhookNotifier() {
  {
    MutexLock lock(&mutex_);
    stop_ = true;
  }
  wake_.SignalAll();
  worker_.join();
}

void WebhookNotifier::Notify(const Notification& n) {
  std::string body = NotificationPayload(n).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  {
    MutexLock lock(&mutex_);
    queue_.push_back(std::move(body));
  }
  wake_.Signal();
}

void WebhookNotifier::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(&mutex_);
  while (!(queue_.empty() && !busy_)) {
    if (!idle_.WaitUntil(&mutex_, deadline)) break;
  }
}

int64_t WebhookNotifier::delivered() const {
  MutexLock lock(&mutex_);
  return delivered_;
}

int64_t WebhookNotifier::dropped() const {
  MutexLock lock(&mutex_);
  return dropped_;
}

Status WebhookNotifier::Deliver(const std::string& body) {
  httplib::Client client(scheme_host_port_);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(options_.request_timeout).count();
  client.set_connection_timeout(us / 1000000, us % 1000000);
  client.set_read_timeout(us / 1000000, us % 1000000);
  client.set_write_timeout(us / 1000000, us % 1000000);
  // A total deadline: the per-read timeouts restart with every byte received, so a
  // watchdog shuts the socket down when the whole request has taken too long.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(m);
    if (!cv.wait_for(lock, options_.request_timeout, [&] { return done; })) client.stop();
  });
  auto res = client.Post(path_, body, "application/json");
  {
    std::lock_guard<std::mutex> lock(m);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  if (!res) return Status::IOError("webhook " + scheme_host_port_ + path_ + ": " + httplib::to_string(res.error()));
  if (res->status < 200 || res->status >= 300) {
    return Status::IOError("webhook " + scheme_host_port_ + path_ + ": HTTP " + std::to_string(res->status));
  }
  return Status::OK();
}

void WebhookNotifier::Run() {
  while (true) {
    std::string body;
    {
      MutexLock lock(&mutex_);
      while (!stop_ && queue_.empty()) wake_.Wait(&mutex_);
      if (queue_.empty()) return;  // stopping and nothing left
      body = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Status st;
    auto backoff = options_.initial_backoff;
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
      st = Deliver(body);
      if (st.ok()) break;
      bool stopping;
      {
        MutexLock lock(&mutex_);
        stopping = stop_;
      }
      if (stopping || attempt == options_.max_attempts) break;
      const auto until = std::chrono::steady_clock::now() + backoff;
      {
        MutexLock lock(&mutex_);
        while (!stop_) {
          if (!wake_.WaitUntil(&mutex_, until)) break;
        }
      }
      backoff *= 2;
    }
    {
      MutexLock lock(&mutex_);
      if (st.ok()) {
        ++delivered_;
      } else {
        ++dropped_;
      }
      busy_ = false;
    }
    if (!st.ok() && log_) log_("notification not delivered: " + st.message());
    idle_.SignalAll();
  }
}

}  // namespace gaggle
