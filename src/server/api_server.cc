#include "server/api_server.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>

#include "server/dashboard_assets.h"
#include "server/http_json.h"
#include "service/service_context.h"
#include "store/postgres_url.h"
#include "store/postgres_work_queue.h"

namespace gaggle::server {
namespace {

std::string BearerOf(const httplib::Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0)) return h.substr(7);
  return "";
}

void Reply(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_content(ErrorBody(code, message), "application/json");
}

// cpp-httplib 0.11 listens with a backlog of 5: under a burst of new connections (a
// thousand event streams opening, a load generator) every connect beyond it waits for
// the accept thread to be scheduled. Linux lets a listening socket's backlog be raised
// by calling listen() again; find the socket bound to `port` among this process's fds.
void RaiseListenBacklog(int port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* e = ::readdir(dir)) {
    const int fd = std::atoi(e->d_name);
    if (fd <= 2) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
  ::closedir(dir);
}

Access RoleAccess(Role r) {
  return r == Role::kAdmin ? Access::kAdmin : r == Role::kOperator ? Access::kOperator : Access::kViewer;
}

Role AccessRole(Access a) {
  return a == Access::kAdmin ? Role::kAdmin : a == Access::kOperator ? Role::kOperator : Role::kViewer;
}

}  // namespace

Result<std::unique_ptr<ApiServer>> ApiServer::Open(const ServeOptions& options) {
  std::unique_ptr<ApiServer> s(new ApiServer(options));
  if (s->options_.artifacts.empty()) s->options_.artifacts = service::DefaultArtifactsDir(options.state);
  service::ServiceContext where;
  GAGGLE_ASSIGN_OR_RETURN(s->artifact_spool_, service::OpenArtifacts(s->options_.artifacts, &where));
  s->artifacts_dir_ = where.artifacts;
  s->mirror_ = where.mirror;
  // Both on the same location, a SQLite file or a PostgreSQL database, chosen by its
  // form; either one creates the schema of a new one.
  GAGGLE_ASSIGN_OR_RETURN(s->control_, OpenControlStore(options.state));
  GAGGLE_ASSIGN_OR_RETURN(s->store_, OpenStateStore(options.state));
  if (options.local_workers >= 0) {
    if (!IsPostgresUrl(options.state)) {
      return Status::InvalidArgument("--local-workers needs a PostgreSQL state that workers share; state '" +
                                     options.state + "' is a SQLite file for one host");
    }
    GAGGLE_ASSIGN_OR_RETURN(s->work_queue_, PostgresWorkQueue::Open(options.state));
  }
  EventHub::Options ho;
  ho.poll_ms = options.event_poll_ms;
  s->hub_ = std::make_unique<EventHub>(s->store_.get(), s->control_.get(), ho);
  s->statuses_ = std::make_unique<StatusCache>(s->hub_.get(), s->BaseContext());
  s->approvals_.ttl_seconds = options.approval_ttl_seconds;
  s->runs_ = std::make_unique<service::RunCoordinator>(s->BaseContext(), s->approvals_, options.local_workers);
  AddSystemRoutes(&s->routes_);
  AddMigrationRoutes(&s->routes_);
  AddDatasetRoutes(&s->routes_);
  AddCatalogRoutes(&s->routes_);
  AddAdminRoutes(&s->routes_);
  AddEventRoutes(&s->routes_);
  AddOperationRoutes(&s->routes_);
  for (Route& r : s->routes_) CompileRoute(&r);
  if (options.take_over) s->runs_->StartTakingOver(2500, "gaggle-serve (take-over)");
  return s;
}

ApiServer::~ApiServer() { Stop(); }

service::ServiceContext ApiServer::BaseContext() const {
  service::ServiceContext ctx;
  ctx.store = store_.get();
  ctx.control = control_.get();
  ctx.work_queue = work_queue_.get();
  ctx.artifacts = artifacts_dir_;
  ctx.mirror = mirror_;
  ctx.actor = "gaggle-serve";
  return ctx;
}

Status ApiServer::Start() {
  const bool tls = !options_.tls_cert.empty() || !options_.tls_key.empty();
  if (tls) {
    if (options_.tls_cert.empty() || options_.tls_key.empty()) {
      return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
    }
    auto ssl = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::InvalidArgument("cannot use TLS certificate '" + options_.tls_cert + "' with key '" +
                                     options_.tls_key + "' (unreadable, not PEM, or they do not match)");
    }
    http_ = std::move(ssl);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_read_timeout(options_.read_timeout_seconds, 0);
  http_->set_write_timeout(options_.read_timeout_seconds, 0);
  http_->set_keep_alive_max_count(1000);
  http_->set_keep_alive_timeout(5);
  // httplib writes a response's head and body in separate sends: without TCP_NODELAY,
  // Nagle holds the body until the client's delayed ACK (40 ms), capping a keep-alive
  // connection at 25 requests/s.
  http_->set_tcp_nodelay(true);
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  http_->Get(".*", dispatch);
  http_->Post(".*", dispatch);
  http_->Put(".*", dispatch);
  http_->Delete(".*", dispatch);
  http_->Patch(".*", dispatch);
  http_->Options(".*", dispatch);
  http_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string code = res.status == 413   ? "PayloadTooLarge"
                             : res.status == 414 ? "UriTooLong"
                             : res.status == 400 ? "BadRequest"
                                                 : "HttpError";
    res.set_content(ErrorBody(code, "HTTP " + std::to_string(res.status)), "application/json");
  });
  http_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unexpected error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Reply(res, 500, "Internal", what);
  });
  http_->set_logger(
      [this](const httplib::Request&, const httplib::Response& res) { metrics_.CountResponse(res.status); });
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) return Status::IOError("cannot bind to " + options_.host + " on any port");
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      return Status::IOError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use, or not an address of this host)");
    }
    port_ = options_.port;
  }
  RaiseListenBacklog(port_);
  const std::string host = options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  url_ = std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port_);
  approvals_.base_url = options_.public_url.empty() ? url_ : options_.public_url;
  runs_->SetApprovalPolicy(approvals_);
  // New gate pauses get their approval link as soon as the hub sees them.
  hub_->AddListener([this](const Event& e) {
    metrics_.Observe(e);
    if (e.dataset.empty() && e.to_state == "paused" && !e.migration.empty()) {
      service::ServiceContext ctx = BaseContext();
      (void)service::EnsureApprovalLink(ctx, approvals_, e.migration);
    }
  });
  GAGGLE_RETURN_IF_ERROR(hub_->Start());
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop has started, so a Stop()
  // right after Start() left the listener in accept() for ever (a test's TearDown hung
  // under load). Start returns once the loop runs, waiting at most 5 s.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::OK();
}

void ApiServer::Stop() {
  if (stopping_.exchange(true)) {
    if (listener_.joinable()) listener_.join();
    return;
  }
  if (hub_) hub_->Stop();  // ends the event streams
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
  if (runs_) runs_->Shutdown();
}

void ApiServer::Wait() {
  while (!stopping_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

bool ApiServer::Authorize(const Route& route, const httplib::Request& req, httplib::Response& res, ApiCall* call) {
  if (route.access == Access::kPublic) return true;
  const std::string secret = BearerOf(req);
  if (secret.empty()) {
    res.set_header("WWW-Authenticate", "Bearer");
    Reply(res, 401, "Unauthenticated", "this endpoint needs a bearer token (Authorization: Bearer ggl_...)");
    return false;
  }
  auto who = tokens_.Authenticate(BaseContext(), secret);
  if (!who.ok()) {
    Reply(res, HttpStatusFor(who.status()), StatusCodeName(who.status().code()), who.status().message());
    return false;
  }
  if (!who->has_value()) {
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    Reply(res, 401, "Unauthenticated", "the bearer token is unknown or revoked");
    return false;
  }
  const service::Principal& p = **who;
  if (!service::RoleAllows(p.role, AccessRole(route.access))) {
    Reply(res, 403, "PermissionDenied",
          route.method + " " + route.path + " needs the " + AccessName(route.access) + " role; token '" + p.name +
              "' is " + AccessName(RoleAccess(p.role)));
    return false;
  }
  call->who = p;
  call->ctx.actor = p.name;
  // A front end holding a service token (the Backstage plugin) names the user it acts
  // for; the event log then records both: "backstage for user:default/alice".
  const std::string behalf = req.get_header_value("X-Gaggle-On-Behalf-Of");
  if (!behalf.empty()) {
    bool printable = behalf.size() <= 256;
    for (char ch : behalf) printable &= ch > 0x20 && ch < 0x7f;
    if (!printable) {
      Reply(res, 400, "InvalidArgument",
            "X-Gaggle-On-Behalf-Of: expected 1 to 256 printable characters without spaces (an entity ref such as "
            "user:default/alice)");
      return false;
    }
    call->ctx.actor = p.name + " for " + behalf;
  }
  return true;
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const Route* found = nullptr;
  bool path_matched = false;
  std::smatch m;
  for (const Route& r : routes_) {
    if (!std::regex_match(req.path, m, r.pattern)) continue;
    path_matched = true;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      found = &r;
      break;
    }
  }
  if (!found) {
    if (path_matched) {
      Reply(res, 405, "MethodNotAllowed", req.method + " is not allowed on " + req.path);
      return;
    }
    const bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/api";
    if (!api && (req.method == "GET" || req.method == "HEAD")) return ServeAsset(req, res);
    Reply(res, 404, "RouteNotFound", "no route " + req.method + " " + req.path + " (see /api/v1/openapi.json)");
    return;
  }
  ApiCall call{req, res, *this, {}, std::nullopt, BaseContext()};
  for (size_t i = 0; i < found->path_params.size(); ++i) call.path[found->path_params[i]] = m[i + 1].str();
  if (!Authorize(*found, req, res, &call)) return;
  for (const auto& [name, value] : req.params) {
    bool known = false;
    for (const ParamDoc& q : found->query) known |= q.name == name;
    if (!known) {
      std::string allowed;
      for (const ParamDoc& q : found->query) allowed += (allowed.empty() ? "" : ", ") + q.name;
      Reply(res, 400, "InvalidArgument",
            "unknown query parameter '" + name + "' (allowed: " + (allowed.empty() ? "none" : allowed) + ")");
      return;
    }
  }
  found->handler(call);
}

void ApiServer::ServeAsset(const httplib::Request& req, httplib::Response& res) {
  std::string path = req.path;
  // Exact lookups only; anything else that looks like a file is not found, and the
  // dashboard's own routes (/migrations/..., /approvals/...) get the page.
  const DashboardAsset* a = FindDashboardAsset(path == "/" ? "/index.html" : path);
  bool looks_like_file = path.find('.') != std::string::npos || path.find('\\') != std::string::npos ||
                         path.find('%') != std::string::npos;
  for (char ch : path) looks_like_file |= static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
  if (!a && !looks_like_file) a = FindDashboardAsset("/index.html");
  if (!a) {
    Reply(res, 404, "NotFound", "no file " + path);
    return;
  }
  res.set_header("Cache-Control", path.rfind("/assets/", 0) == 0 ? "public, max-age=3600" : "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(reinterpret_cast<const char*>(a->data), a->size, a->content_type);
}

}  // namespace gaggle::server
