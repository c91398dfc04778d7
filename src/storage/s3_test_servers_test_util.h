// Test helpers: real S3-protocol servers and the fault-injecting proxy, as child processes
// listening on 127.0.0.1 (free ports), each stopped when its handle is destroyed (and killed
// by the kernel if the test process dies first).
//   s3rver  npm (tests/s3/setup.sh installs it); checks Signature V4 with key S3RVER/S3RVER
//   moto    Python's moto server (tests/s3/moto_server.py), without signature checks
//   moto-auth  the same with IAM authentication and Signature V4 checks on (moto's check
//           refuses percent-encoded paths and queries: plain keys only)
//           moto is absent on machines without Python's moto: StartS3Server returns
//           Unsupported and the tests skip
//   proxy   tests/s3/fault_proxy.py in front of a server, driven by a JSON fault plan
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/source_dir_test_util.h"
#include "common/status.h"
#include "storage/file_system_resolver.h"
#include "storage/http_client.h"
#include "storage/s3_client.h"

namespace gaggle::s3test {

inline std::string SourceDir() { return gaggle::testing::SourceRoot(); }

// A child process that printed one JSON line describing itself.
class ServerProcess {
 public:
  ~ServerProcess() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the servers exit when their stdin closes
    if (pid_ > 0) {
      for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        if (i == 20) ::kill(pid_, SIGTERM);
        ::usleep(100000);
      }
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::string name;
  int port = 0;
  std::string access_key;
  std::string secret_key;

  // Starts argv (argv[0] looked up in PATH) and waits up to `timeout` for its JSON line.
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& name, const std::vector<std::string>& argv,
                                                      std::chrono::seconds timeout) {
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe");
    // Built before fork(): the child makes only async-signal-safe calls until exec, since a
    // threaded parent's child that allocates can block for ever on a lock held at fork time.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return Status::IOError("fork");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(in_pipe[0], 0);
      ::dup2(out_pipe[1], 1);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    auto proc = std::make_unique<ServerProcess>();
    proc->name = name;
    proc->pid_ = pid;
    proc->stdin_fd_ = in_pipe[1];
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      struct pollfd p = {out_pipe[0], POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::read(out_pipe[0], buf, sizeof(buf));
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    ::close(out_pipe[0]);
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      proc->pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 3) return Status::Unsupported(name + " is not installed");
      return Status::IOError(name + " exited before it was ready (status " + std::to_string(status) + ")");
    }
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("port"))
      return Status::IOError(name + " did not report its port: '" + line + "'");
    proc->port = j["port"].get<int>();
    proc->access_key = j.value("access_key", "");
    proc->secret_key = j.value("secret_key", "");
    return proc;
  }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
};

// "s3rver", "moto" or "moto-auth". s3rver needs `bash tests/s3/setup.sh` (a missing install is an
// error); moto missing is Unsupported (the caller skips).
inline Result<std::unique_ptr<ServerProcess>> StartS3Server(const std::string& kind, const std::string& scratch_dir) {
  if (kind == "s3rver") {
    std::string dir = SourceDir() + "/tests/s3";
    if (!std::filesystem::exists(dir + "/node_modules/@20minutes/s3rver/package.json")) {
      return Status::NotFound("s3rver is not installed in " + dir + "/node_modules: run `bash tests/s3/setup.sh`");
    }
    std::filesystem::create_directories(scratch_dir);
    // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
    return ServerProcess::Start("s3rver",
                                {"node", "--openssl-legacy-provider", dir + "/s3rver_server.mjs", scratch_dir},
                                std::chrono::seconds(60));
  }
  std::vector<std::string> argv = {"python3", SourceDir() + "/tests/s3/moto_server.py"};
  if (kind == "moto-auth") argv.push_back("--auth");
  return ServerProcess::Start(kind, argv, std::chrono::seconds(90));
}

inline Result<std::unique_ptr<ServerProcess>> StartFaultProxy(int upstream_port) {
  return ServerProcess::Start("fault proxy",
                              {"python3", SourceDir() + "/tests/s3/fault_proxy.py", std::to_string(upstream_port)},
                              std::chrono::seconds(30));
}

// Posts a fault plan (see tests/s3/fault_proxy.py) to the proxy on `port`.
inline Status SetFaultPlan(int port, const nlohmann::json& plan) {
  HttpClient http;
  std::string body = plan.dump();
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/__fault/plan";
  req.body = body;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, http.Perform(req));
  return resp.status == 200 ? Status::OK() : Status::IOError("fault plan refused");
}

inline nlohmann::json FaultStats(int port) {
  HttpClient http;
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/__fault/stats";
  Result<HttpResponse> resp = http.Perform(req);
  if (!resp.ok()) return nlohmann::json::object();
  return nlohmann::json::parse(resp->body, nullptr, false);
}

// Client options for a server (through `port`, the server's own or a proxy's), with short
// backoff delays so fault tests run quickly.
inline S3ClientOptions ClientOptionsFor(const ServerProcess& server, int port) {
  S3ClientOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.region = "us-east-1";
  o.addressing = S3Addressing::kPath;
  o.credentials = {server.access_key, server.secret_key, "", "test server " + server.name};
  o.retry.max_attempts = 6;
  o.retry.initial_delay = std::chrono::milliseconds(5);
  o.retry.max_delay = std::chrono::milliseconds(100);
  return o;
}

// A resolver whose s3:// is `server`: its endpoint and keys, and no shared AWS config or
// credentials files (they would be looked for under `scratch_dir`, where there are none), so
// nothing on the machine running the tests changes what it reaches.
inline std::unique_ptr<FileSystemResolver> ResolverFor(const ServerProcess& server, const std::string& scratch_dir) {
  ObjectStoreConfig config;
  config.s3_endpoint = "http://127.0.0.1:" + std::to_string(server.port);
  config.retry.initial_delay = std::chrono::milliseconds(5);
  const std::string none = (std::filesystem::path(scratch_dir) / "none").string();
  const std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", server.access_key},
                                                  {"AWS_SECRET_ACCESS_KEY", server.secret_key},
                                                  {"AWS_SHARED_CREDENTIALS_FILE", none},
                                                  {"AWS_CONFIG_FILE", none}};
  return std::make_unique<FileSystemResolver>(config, [env](const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  });
}

}  // namespace gaggle::s3test
