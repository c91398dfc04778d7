// Notifier: tells people and systems what a migration is doing.
//
// Notify() never blocks the migration: notifications are queued and delivered
// by a background thread. WebhookNotifier POSTs a JSON body with a
// Slack-compatible `text` plus the structured fields under `gaggle`, retrying
// failed deliveries with exponential backoff; a notification that still fails
// is logged and dropped (the event log, not the webhook, is the record).
// Thread-safety: Notify() and Flush() may be called from any thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace gaggle {

struct Notification {
  std::string event;  // stage_started, stage_finished, paused, needs_attention, completed, ...
  std::string migration;
  std::string text;                                  // one human line (Slack renders it)
  nlohmann::json fields = nlohmann::json::object();  // structured details
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void Notify(const Notification& n) = 0;
  // Waits until queued notifications are delivered or given up, at most `timeout`.
  virtual void Flush(std::chrono::milliseconds timeout) = 0;
};

// The JSON body sent for a notification.
nlohmann::json NotificationPayload(const Notification& n);

class WebhookNotifier final : public Notifier {
 public:
  struct Options {
    int max_attempts = 5;
    std::chrono::milliseconds initial_backoff{200};
    // The whole request, connect to last byte of the response: a receiver that drips
    // its headers one byte at a time is cut off when it passes.
    std::chrono::milliseconds request_timeout{5000};
  };
  // `url`: http://host[:port]/path or https://...; `log` receives delivery failures.
  WebhookNotifier(std::string url, Options options, std::function<void(const std::string&)> log);
  ~WebhookNotifier() override;

  void Notify(const Notification& n) override EXCLUDES(mutex_);
  void Flush(std::chrono::milliseconds timeout) override EXCLUDES(mutex_);
  int64_t delivered() const EXCLUDES(mutex_);
  int64_t dropped() const EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);
  Status Deliver(const std::string& body);

  std::string scheme_host_port_;
  std::string path_;
  Options options_;
  std::function<void(const std::string&)> log_;
  mutable Mutex mutex_;
  CondVar wake_;
  CondVar idle_;
  std::deque<std::string> queue_ GUARDED_BY(mutex_);
  bool busy_ GUARDED_BY(mutex_) = false;
  bool stop_ GUARDED_BY(mutex_) = false;
  int64_t delivered_ GUARDED_BY(mutex_) = 0;
  int64_t dropped_ GUARDED_BY(mutex_) = 0;
  std::thread worker_;
};

// Fans one notification out to several notifiers.
class MultiNotifier final : public Notifier {
 public:
  void Add(std::unique_ptr<Notifier> n) { notifiers_.push_back(std::move(n)); }
  void Notify(const Notification& n) override {
    for (auto& x : notifiers_) x->Notify(n);
  }
  void Flush(std::chrono::milliseconds timeout) override {
    for (auto& x : notifiers_) x->Flush(timeout);
  }
  bool empty() const { return notifiers_.empty(); }

 private:
  std::vector<std::unique_ptr<Notifier>> notifiers_;
};

}  // namespace gaggle
