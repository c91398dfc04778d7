#include "cli/serve_command.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/cli_support.h"
#include "server/api_server.h"
#include "service/token_operations.h"
#include "store/postgres_url.h"

namespace gaggle::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

struct ServeArgs {
  std::string state = kDefaultStatePath;
  std::string listen = "127.0.0.1:8420";
  std::string tls_cert, tls_key, public_url, artifacts;
  size_t max_body = 1 << 20;
  int threads = 1100;
  int64_t approval_ttl = 24 * 3600;
  bool demo_token = false;
  int local_workers = -1;
  bool take_over = false;
};

Status ParseListen(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'");
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  char* end = nullptr;
  const long p = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535) return Status::InvalidArgument("--listen: bad port in '" + listen + "'");
  *port = static_cast<int>(p);
  return Status::OK();
}

int RunServe(const ServeArgs& a) {
  server::ServeOptions o;
  o.state = a.state;
  o.artifacts = a.artifacts;
  o.tls_cert = a.tls_cert;
  o.tls_key = a.tls_key;
  o.public_url = a.public_url;
  o.max_body_bytes = a.max_body;
  o.threads = a.threads;
  o.approval_ttl_seconds = a.approval_ttl;
  o.local_workers = a.local_workers;
  o.take_over = a.take_over;
  if (Status s = ParseListen(a.listen, &o.host, &o.port); !s.ok()) return ReportError(s);
  auto server = server::ApiServer::Open(o);
  if (!server.ok()) return ReportError(server.status());
  std::string demo_secret;
  if (a.demo_token) {
    service::ServiceContext ctx = (*server)->BaseContext();
    ctx.actor = OperatorName();
    auto t = service::CreateApiToken(ctx, {"demo", Role::kAdmin, /*replace=*/true});
    if (!t.ok()) return ReportError(t.status());
    demo_secret = t->secret;
  }
  if (Status s = (*server)->Start(); !s.ok()) return ReportError(s);
  std::cout << "gaggle serve: listening on " << (*server)->url() << " (state " << RedactPostgresUrl(a.state) << ")\n"
            << "  dashboard: " << (*server)->url() << "/\n"
            << "  API:       " << (*server)->url() << "/api/v1/openapi.json\n";
  if (!demo_secret.empty()) std::cout << "  demo token (admin, shown once): " << demo_secret << "\n";
  std::cout << std::flush;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cerr << "gaggle serve: stopping (runs it drives put their running datasets back to pending)\n";
  (*server)->Stop();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return kExitOk;
}

struct TokenArgs {
  std::string state = kDefaultStatePath;
  std::string name, role = "viewer", token;
  bool json = false;
};

Result<std::unique_ptr<ControlStore>> OpenControl(CliContext* c, const std::string& state) {
  GAGGLE_ASSIGN_OR_RETURN(auto control, OpenControlStore(state));
  c->ctx.control = control.get();
  return control;
}

int RunTokenCreate(const TokenArgs& a) {
  auto c = OpenCliContext(a.state);
  if (!c.ok()) return ReportError(c.status());
  auto control = OpenControl(&*c, a.state);
  if (!control.ok()) return ReportError(control.status());
  auto role = ParseRole(a.role);
  if (!role.ok()) return ReportError(role.status());
  auto t = service::CreateApiToken(c->ctx, {a.name, *role, false});
  if (!t.ok()) return ReportError(t.status());
  if (a.json) {
    std::cout << t->ToJson().dump(2) << "\n";
  } else {
    std::cout << t->secret << "\n";
    std::cerr << "token " << t->token.id << " '" << a.name << "' (" << a.role
              << "): the secret above is shown once; only its hash is stored.\n";
  }
  return kExitOk;
}

int RunTokenList(const TokenArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto control = OpenControl(&*c, a.state);
  if (!control.ok()) return ReportError(control.status());
  auto tokens = service::ListApiTokens(c->ctx);
  if (!tokens.ok()) return ReportError(tokens.status());
  if (a.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const ApiToken& t : *tokens) j.push_back(service::TokenJson(t));
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  for (const ApiToken& t : *tokens) {
    std::cout << t.id << "  " << t.name << "  " << RoleName(t.role) << "  created " << t.created_at << " by "
              << t.created_by << (t.revoked() ? "  REVOKED " + t.revoked_at + " by " + t.revoked_by : "") << "\n";
  }
  return kExitOk;
}

int RunTokenRevoke(const TokenArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto control = OpenControl(&*c, a.state);
  if (!control.ok()) return ReportError(control.status());
  auto t = service::RevokeApiToken(c->ctx, a.token);
  if (!t.ok()) return ReportError(t.status());
  std::cout << "token " << t->id << " '" << t->name << "' revoked\n";
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App* app, int* exit_code) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = app->add_subcommand(
      "serve", "Serve the HTTP API v1, the dashboard and /metrics over a state (docs/control-plane.md)");
  cmd->add_option("--state", a->state, "State: a SQLite file or a PostgreSQL URL (postgres://user@host/db)")
      ->capture_default_str();
  cmd->add_option("--listen", a->listen, "HOST:PORT to listen on (loopback unless told otherwise)")
      ->capture_default_str();
  cmd->add_option("--tls-cert", a->tls_cert, "PEM certificate: serve HTTPS");
  cmd->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--public-url", a->public_url, "Base URL of approval links (default: the listen URL)");
  cmd->add_option("--artifacts", a->artifacts,
                  "Artefact location: a directory (default: gaggle-logs/ beside the state file), or s3://bucket/prefix "
                  "or gs://bucket/prefix (spooled locally, each file uploaded whole once complete)");
  cmd->add_option("--max-body", a->max_body, "Largest request body in bytes")->capture_default_str();
  cmd->add_option("--threads", a->threads, "Worker threads (each open event stream holds one)")
      ->capture_default_str()
      ->check(CLI::Range(4, 20000));
  cmd->add_option("--approval-ttl", a->approval_ttl, "Seconds an approval link stays usable")->capture_default_str();
  cmd->add_flag("--demo-token", a->demo_token, "Create (or replace) an admin token named 'demo' and print it");
  cmd->add_option("--local-workers", a->local_workers,
                  "Run the agents of migrations started here on `gaggle worker` processes sharing a PostgreSQL\n"
                  "--state, with N worker slots in this process (0: none). Default: agents run in this process")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--take-over", a->take_over,
                "Drive every running migration that no live coordinator drives (its lease lapsed): a standby\n"
                "coordinator on another host continues within the lease time (10 s); a restarted one resumes");
  cmd->callback([a, exit_code] { *exit_code = RunServe(*a); });
}

void AddTokenCommands(CLI::App* app, int* exit_code) {
  CLI::App* token = app->add_subcommand("token", "API tokens for `gaggle serve`: create, list, revoke");
  token->require_subcommand(1);
  auto a = std::make_shared<TokenArgs>();
  CLI::App* create = token->add_subcommand("create", "Create a token and print its secret (once)");
  create->add_option("--name", a->name, "Who uses it (recorded as the actor of its changes)")->required();
  create->add_option("--role", a->role, "viewer, operator or admin")->capture_default_str();
  create->add_option("--state", a->state, "State: a SQLite file or a PostgreSQL URL")->capture_default_str();
  create->add_flag("--json", a->json, "Print JSON");
  create->callback([a, exit_code] { *exit_code = RunTokenCreate(*a); });
  CLI::App* list = token->add_subcommand("list", "List tokens (never their secrets)");
  list->add_option("--state", a->state, "State: a SQLite file or a PostgreSQL URL")->capture_default_str();
  list->add_flag("--json", a->json, "Print JSON");
  list->callback([a, exit_code] { *exit_code = RunTokenList(*a); });
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id or name");
  revoke->add_option("token", a->token, "Token id (tok_...) or name")->required();
  revoke->add_option("--state", a->state, "State: a SQLite file or a PostgreSQL URL")->capture_default_str();
  revoke->callback([a, exit_code] { *exit_code = RunTokenRevoke(*a); });
}

}  // namespace gaggle::cli
