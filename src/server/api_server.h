// ApiServer: `gaggle serve` — the HTTP API v1, the dashboard, /metrics, /healthz and
// /readyz from one process, over one state store (docs/control-plane.md).
//  - Routes are data (api_route.h); the dispatcher authenticates the bearer token,
//    checks the route's role (401 without a valid token, 403 with too small a role;
//    nothing runs in either case), refuses unknown query parameters and calls the
//    handler, which is a thin adapter over one operation of src/service/.
//  - A valid token's principal is kept for 1 s (service/token_cache.h): a token revoked
//    over this API stops at once, one revoked by `gaggle token revoke` within 1 s.
//  - Request bodies are limited (413 past max_body_bytes); JSON is strict (http_json.h).
//  - The dashboard's files are embedded in the binary and looked up by exact path, so
//    no request path reaches the file system.
//  - It binds to 127.0.0.1 unless told otherwise; TLS when a certificate and key are given.
//  - Migrations started over the API run on threads of this process (RunCoordinator),
//    under the run lease that `gaggle run` takes too.
// Thread-safety: Start/Stop from one thread; requests are served concurrently.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/api_route.h"
#include "server/event_hub.h"
#include "server/server_metrics.h"
#include "server/status_cache.h"
#include "service/approval_operations.h"
#include "service/artifact_spool.h"
#include "service/run_coordinator.h"
#include "service/token_cache.h"
#include "store/control_store.h"
#include "store/state_store.h"

namespace gaggle::server {

struct ServeOptions {
  std::string state = kDefaultStatePath;
  std::string artifacts;  // default: gaggle-logs/ beside the state file
  std::string host = "127.0.0.1";
  int port = 8420;  // 0: any free port (tests)
  std::string tls_cert, tls_key;
  std::string public_url;  // the base of approval links; default http(s)://host:port
  size_t max_body_bytes = 1 << 20;
  // Worker threads: each open event stream holds one, so this bounds SSE clients.
  int threads = 1100;
  int read_timeout_seconds = 5;
  int event_poll_ms = 50;
  int64_t approval_ttl_seconds = 24 * 3600;
  // Where the agents of migrations started over the API run (StartRunRequest::local_workers):
  // -1 in this process; 0 or more on `gaggle worker` processes sharing a PostgreSQL state.
  int local_workers = -1;
  // Start the runs nobody drives (a dead or stopped coordinator's), each lease-time/4
  // (RunCoordinator::StartTakingOver): a standby or restarted coordinator continues them.
  bool take_over = false;
};

class ApiServer {
 public:
  static Result<std::unique_ptr<ApiServer>> Open(const ServeOptions& options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and serves on a thread of its own. After it, port() and url() are known.
  Status Start();
  // Stops serving: ends event streams, interrupts the runs it drives, joins.
  void Stop();
  // Blocks until Stop() (from another thread or a signal handler's flag watcher).
  void Wait();

  int port() const { return port_; }
  const std::string& url() const { return url_; }
  const ServeOptions& options() const { return options_; }
  const std::vector<Route>& routes() const { return routes_; }

  // For handlers.
  service::ServiceContext BaseContext() const;
  StateStore* store() { return store_.get(); }
  ControlStore* control() { return control_.get(); }
  EventHub& hub() { return *hub_; }
  StatusCache& statuses() { return *statuses_; }
  service::RunCoordinator& runs() { return *runs_; }
  ServerMetrics& metrics() { return metrics_; }
  // The principals of recent bearer tokens; a revocation through the API clears it.
  service::TokenCache& tokens() { return tokens_; }
  const service::ApprovalPolicy& approvals() const { return approvals_; }
  bool stopping() const { return stopping_.load(); }

 private:
  explicit ApiServer(ServeOptions options) : options_(std::move(options)) {}
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  bool Authorize(const Route& route, const httplib::Request& req, httplib::Response& res, ApiCall* call);
  void ServeAsset(const httplib::Request& req, httplib::Response& res);

  ServeOptions options_;
  // The spool of an s3:// or gs:// artefact location (nullptr for a directory): declared
  // before everything that writes into it, so it is published after they stopped.
  std::unique_ptr<service::ArtifactSpool> artifact_spool_;
  std::string artifacts_dir_;  // options_.artifacts, or the spool
  ArtifactMirror* mirror_ = nullptr;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<WorkQueue> work_queue_;  // when options_.local_workers >= 0
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<StatusCache> statuses_;
  std::unique_ptr<service::RunCoordinator> runs_;
  service::ApprovalPolicy approvals_;
  ServerMetrics metrics_;
  service::TokenCache tokens_;
  std::vector<Route> routes_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::string url_;
};

// The route groups (api_*_routes.cc).
void AddSystemRoutes(std::vector<Route>* routes);
void AddMigrationRoutes(std::vector<Route>* routes);
void AddDatasetRoutes(std::vector<Route>* routes);
void AddCatalogRoutes(std::vector<Route>* routes);
void AddAdminRoutes(std::vector<Route>* routes);
void AddEventRoutes(std::vector<Route>* routes);
void AddOperationRoutes(std::vector<Route>* routes);

}  // namespace gaggle::server
