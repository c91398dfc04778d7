// Routes: the event log, paged, and as a Server-Sent Events stream that resumes from
// Last-Event-ID (or ?after=) without missing an event.
#include <memory>

#include "server/api_handlers.h"
#include "service/status_operations.h"

namespace gaggle::server {
namespace {

constexpr auto kKeepAlive = std::chrono::seconds(10);

void ListEvents(ApiCall& c) {
  service::EventPageRequest r;
  r.migration = c.Query("migration");
  r.dataset = c.Query("dataset");
  auto after = c.QueryInt("after", 0, 0, INT64_MAX);
  if (!after.ok()) return c.Fail(after.status());
  auto limit = c.QueryInt("limit", 100, 1, 1000);
  if (!limit.ok()) return c.Fail(limit.status());
  r.after_seq = *after;
  r.limit = static_cast<size_t>(*limit);
  auto page = service::ListEventPage(c.ctx, r);
  if (!page.ok()) return c.Fail(page.status());
  c.Json({{"items", page->ToJson()}, {"next", page->next_after}});
}

void Stream(ApiCall& c) {
  const std::string migration = c.Query("migration");
  int64_t after = -1;
  const std::string last_id = c.req.get_header_value("Last-Event-ID");
  if (!last_id.empty()) {
    char* end = nullptr;
    const long long v = std::strtoll(last_id.c_str(), &end, 10);
    if (*end != '\0' || v < 0) return c.Fail(Status::InvalidArgument("Last-Event-ID: expected an event seq number"));
    after = v;
  } else {
    auto q = c.QueryInt("after", -1, -1, INT64_MAX);
    if (!q.ok()) return c.Fail(q.status());
    after = *q;
  }
  EventHub& hub = c.server.hub();
  ServerMetrics& metrics = c.server.metrics();
  if (after < 0) after = hub.LastSeq();  // new events only
  auto cursor = std::make_shared<int64_t>(after);
  auto first = std::make_shared<bool>(true);
  metrics.SseOpened();
  c.res.set_header("Cache-Control", "no-cache");
  c.res.set_header("X-Accel-Buffering", "no");
  c.res.set_chunked_content_provider(
      "text/event-stream",
      [&hub, cursor, first, migration](size_t, httplib::DataSink& sink) {
        if (*first) {
          *first = false;
          const std::string hello = "retry: 2000\n: connected at " + std::to_string(*cursor) + "\n\n";
          return sink.write(hello.data(), hello.size());
        }
        bool stopped = false;
        std::vector<HubEvent> events = hub.Wait(*cursor, migration, kKeepAlive, 500, &stopped);
        if (stopped) {
          sink.done();
          return true;
        }
        if (!sink.is_writable()) return false;
        std::string out;
        if (events.empty()) out = ": keep-alive\n\n";
        for (const HubEvent& e : events) {
          out += "id: " + std::to_string(e.seq) + "\nevent: event\ndata: " + e.json + "\n\n";
          *cursor = e.seq;
        }
        return sink.write(out.data(), out.size());
      },
      [&metrics](bool) { metrics.SseClosed(); });
}

}  // namespace

void AddEventRoutes(std::vector<Route>* routes) {
  routes->push_back({"GET",
                     "/api/v1/events",
                     Access::kViewer,
                     "The event log, oldest first, paged by seq",
                     {{"migration", "string", "only this migration's"},
                      {"dataset", "string", "only this dataset's"},
                      {"after", "integer", "events with a larger seq (the previous page's 'next')"},
                      {"limit", "integer", "1 to 1000 (default 100)"}},
                     {},
                     "application/json",
                     ListEvents});
  routes->push_back({"GET",
                     "/api/v1/events/stream",
                     Access::kViewer,
                     "Server-Sent Events: every new event as it commits; resumes after Last-Event-ID or ?after=",
                     {{"migration", "string", "only this migration's"},
                      {"after", "integer", "start after this seq (default: new events only)"}},
                     {},
                     "text/event-stream",
                     Stream});
}

}  // namespace gaggle::server
