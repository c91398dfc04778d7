#include "fleet/notifier.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

namespace gaggle {
namespace {

TEST(WebhookNotifier, DeliversSlackCompatiblePayloadAndRetriesFailures) {
  httplib::Server server;
  std::mutex mu;
  std::vector<nlohmann::json> received;
  std::atomic<int> calls{0};
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    // The first delivery attempt fails: the notifier must retry it.
    if (calls++ == 0) {
      res.status = 503;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(nlohmann::json::parse(req.body));
    res.status = 200;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  {
    WebhookNotifier::Options o;
    o.initial_backoff = std::chrono::milliseconds(10);
    WebhookNotifier n("http://127.0.0.1:" + std::to_string(port) + "/hook", o, nullptr);
    Notification a{"stage_started", "events-v2", "stage 1 (canary) started: 12 datasets", {{"stage", 1}}};
    n.Notify(a);
    n.Notify({"completed", "events-v2", "done", {}});
    n.Flush(std::chrono::seconds(10));
    EXPECT_EQ(n.delivered(), 2);
    EXPECT_EQ(n.dropped(), 0);
  }
  server.stop();
  t.join();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0]["text"], "[gaggle] events-v2: stage 1 (canary) started: 12 datasets");
  EXPECT_EQ(received[0]["gaggle"]["event"], "stage_started");
  EXPECT_EQ(received[0]["gaggle"]["stage"], 1);
  EXPECT_EQ(received[1]["gaggle"]["event"], "completed");
}

TEST(WebhookNotifier, UnreachableReceiverNeverBlocksAndIsCountedAsDropped) {
  WebhookNotifier::Options o;
  o.max_attempts = 2;
  o.initial_backoff = std::chrono::milliseconds(5);
  o.request_timeout = std::chrono::milliseconds(1000);
  std::vector<std::string> logs;
  std::mutex mu;
  WebhookNotifier n("http://127.0.0.1:1/none", o, [&](const std::string& m) {
    std::lock_guard<std::mutex> lock(mu);
    logs.push_back(m);
  });
  auto start = std::chrono::steady_clock::now();
  n.Notify({"paused", "m", "paused", {}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));  // Notify returns at once
  n.Flush(std::chrono::seconds(10));
  EXPECT_EQ(n.dropped(), 1);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(logs.size(), 1u);
}

// Issue 20, case 16: a receiver that drips its response headers a byte at a time is cut
// off at the request's total deadline, so the notifier (and `gaggle run`) ends.
TEST(WebhookNotifier, ADrippingReceiverIsCutOffAtTheTotalDeadline) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    int c = ::accept(listener, nullptr, nullptr);
    const char* headers = "HTTP/1.1 200 OK\r\nX-Slow: ";
    for (int i = 0; c >= 0 && !stop && i < 200; ++i) {  // at most 20 s
      if (::send(c, i < static_cast<int>(std::strlen(headers)) ? headers + i : "a", 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (c >= 0) ::close(c);
  });
  const auto start = std::chrono::steady_clock::now();
  int64_t dropped = 0;
  {
    WebhookNotifier::Options o;
    o.max_attempts = 1;
    o.request_timeout = std::chrono::milliseconds(600);
    WebhookNotifier n("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook", o, nullptr);
    n.Notify({"completed", "m", "done", {}});
    n.Flush(std::chrono::seconds(10));
    dropped = n.dropped();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(dropped, 1);
  stop = true;
  ::shutdown(listener, SHUT_RDWR);
  dripper.join();
  ::close(listener);
}

}  // namespace
}  // namespace gaggle
