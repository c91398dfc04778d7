// Test helper: one private PostgreSQL server per test binary run, started on first use and
// shared by every test (each test makes its own database, so tests stay independent and
// the suite fast). The server comes from Debian's postgresql package
// (/usr/lib/postgresql/<newest>/bin): a copy of an initdb'ed cluster (made once and kept
// in /tmp, see Template) in a fresh temporary directory (in /dev/shm when there is one), then
// `postgres` as a child process listening on 127.0.0.1 only, on a free port, with its unix
// socket in that directory; fsync is off (a test cluster needs no durability). When the
// tests run as root, initdb and postgres run as the `postgres` user (initdb refuses root)
// and the directory is chowned to it. The server is stopped (fast shutdown, then SIGKILL)
// and the directory removed when the process exits; if the test process dies first, the
// kernel sends the server SIGQUIT (immediate shutdown, PR_SET_PDEATHSIG).
// PostgresTestServer::Get() returns the server, or why there is none: Unsupported when the
// server binaries are absent (tests skip then), another error when it would not start
// (tests fail then). TestDatabase::ForCurrentTest() gives a test a database of its own,
// dropped when the test is done.
// Thread-safety: Get() and the database helpers are safe from any thread; start the
// server from the main thread (Get() in a test body), as the death signal follows the
// thread that started it.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace gaggle::store_test {

class PostgresTestServer {
 public:
  // The shared server, started on the first call; its error (the same on every call) when
  // it could not start.
  static Result<PostgresTestServer*> Get() {
    static std::once_flag once;
    static std::unique_ptr<PostgresTestServer> server;
    static Status error;
    std::call_once(once, [] {
      auto s = std::unique_ptr<PostgresTestServer>(new PostgresTestServer());
      error = s->Start();
      if (error.ok()) server = std::move(s);
    });
    if (!error.ok()) return error;
    return server.get();
  }

  ~PostgresTestServer() { Stop(); }

  int port() const { return port_; }
  // The URL of database `db` on this server (user "gaggle", trusted: no password).
  std::string Url(const std::string& db) const {
    return "postgresql://gaggle@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }
  // A new, empty database with a name unique in this run, made from `hint`.
  Result<std::string> CreateDatabase(const std::string& hint) {
    std::string name = "t" + std::to_string(++databases_) + "_";
    for (char c : hint) {
      if (name.size() >= 60) break;
      name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    GAGGLE_RETURN_IF_ERROR(Admin("CREATE DATABASE " + name));
    return name;
  }
  Status DropDatabase(const std::string& name) { return Admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
  // Runs `sql` (several statements allowed) on database `db`, outside the store.
  Status Exec(const std::string& db, const std::string& sql) {
    try {
      pqxx::connection c(Url(db));
      pqxx::nontransaction n(c);
      n.exec(sql);
      return Status::OK();
    } catch (const std::exception& e) {
      return Status::Internal("on test database " + db + ": " + e.what());
    }
  }

 private:
  PostgresTestServer() = default;

  Status Admin(const std::string& sql) { return Exec("postgres", sql); }

  // The newest /usr/lib/postgresql/<version>/bin holding initdb and postgres.
  static std::string FindBinDir() {
    std::string best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::filesystem::path bin = entry.path() / "bin";
      if (!std::filesystem::exists(bin / "initdb") || !std::filesystem::exists(bin / "postgres")) continue;
      const int version = std::atoi(entry.path().filename().c_str());
      if (version > best_version) {
        best_version = version;
        best = bin.string();
      }
    }
    return best;
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  // Forks and execs argv as the server's user (stdout and stderr to `log`); the child
  // gets `death_signal` when this thread ends. Returns the child's pid, or -1.
  pid_t Spawn(const std::vector<std::string>& argv, const std::string& log, int death_signal) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    // The child: only async-signal-safe calls until exec.
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (run_as_uid_ >= 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_as_gid_) != 0 || ::setuid(run_as_uid_) != 0) ::_exit(126);
    }
    if (death_signal != 0) ::prctl(PR_SET_PDEATHSIG, death_signal);
    ::execv(args[0], args.data());
    ::_exit(127);
  }

  // Runs argv to its end; true when it exited 0.
  bool Run(const std::vector<std::string>& argv, const std::string& log) {
    const pid_t pid = Spawn(argv, log, 0);
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  // A freshly initdb'ed cluster to copy: ctest runs every test in its own process, and
  // copying (0.3 s) is much cheaper than initdb (2 s). Made once per server version and
  // user under /tmp (like a build cache; delete it at will), under a lock so parallel
  // test processes make it once, and renamed into place only when complete.
  Result<std::string> Template(const std::string& bin) {
    const std::string version = std::filesystem::path(bin).parent_path().filename().string();
    const std::string path = "/tmp/gaggle-pgtest-cluster-" + version + "-uid" +
                             std::to_string(run_as_uid_ >= 0 ? run_as_uid_ : static_cast<int>(::geteuid()));
    if (std::filesystem::exists(path + "/PG_VERSION")) return path;
    const int lock = ::open((path + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
      if (lock >= 0) ::close(lock);
      return Status::IOError("cannot lock " + path + ".lock");
    }
    Status st;
    if (!std::filesystem::exists(path + "/PG_VERSION")) st = BuildTemplate(bin, path);
    ::flock(lock, LOCK_UN);
    ::close(lock);
    if (!st.ok()) return st;
    return path;
  }

  // initdb beside `path` (dir_ may be on another file system, /dev/shm, and a rename
  // cannot cross devices), then renamed into place.
  Status BuildTemplate(const std::string& bin, const std::string& path) {
    std::string parent = path + ".building-XXXXXX";
    if (::mkdtemp(parent.data()) == nullptr) return Status::IOError("cannot create " + parent);
    Status st;
    const std::string building = parent + "/template";
    if (run_as_uid_ >= 0 && ::chown(parent.c_str(), run_as_uid_, run_as_gid_) != 0) {
      st = Status::IOError("cannot chown " + parent);
    } else if (!Run({bin + "/initdb", "-D", building, "-U", "gaggle", "--auth=trust", "-E", "UTF8", "--no-locale",
                     "--no-sync"},
                    dir_ + "/server.log")) {
      st = Status::Internal("initdb failed in " + building + ": " + Log());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
      std::filesystem::rename(building, path, ec);
      if (ec) st = Status::IOError("cannot move " + building + " to " + path + ": " + ec.message());
    }
    std::error_code ignored;
    std::filesystem::remove_all(parent, ignored);
    return st;
  }

  std::string Log() const {
    std::ifstream in(dir_ + "/server.log");
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  }

  Status Start() {
    const std::string bin = FindBinDir();
    if (bin.empty()) {
      return Status::Unsupported(
          "PostgreSQL's server binaries (initdb, postgres) are not installed under /usr/lib/postgresql/*/bin "
          "(Debian package postgresql; scripts/install-deps.sh installs it)");
    }
    // In memory when /dev/shm is there: copying the cluster to disk costs seconds under load.
    std::string tmpl =
        (::access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp") + std::string("/gaggle-pgtest-XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) return Status::IOError("cannot create a temporary directory for PostgreSQL");
    dir_ = tmpl;
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) return Status::Unsupported("running as root and there is no `postgres` user to run initdb as");
      run_as_uid_ = static_cast<int>(pw->pw_uid);
      run_as_gid_ = static_cast<int>(pw->pw_gid);
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return Status::IOError("cannot chown " + dir_);
    }
    const std::string log = dir_ + "/server.log";
    GAGGLE_ASSIGN_OR_RETURN(const std::string cluster, Template(bin));
    if (!Run({"/bin/cp", "-a", cluster, dir_ + "/data"}, log)) {
      return Status::Internal("cannot copy the cluster " + cluster + " to " + dir_ + ": " + Log());
    }
    for (int attempt = 0; attempt < 3; ++attempt) {  // another process may take the free port first
      port_ = FreePort();
      pid_ = Spawn({bin + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-c",
                    "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir_, "-c", "fsync=off", "-c",
                    "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"},
                   log, SIGQUIT);
      if (pid_ < 0) return Status::Internal("cannot fork postgres");
      Status ready = WaitReady();
      if (ready.ok()) return ready;
      Stop(/*remove=*/false);
      if (attempt == 2) return ready;
    }
    return Status::Internal("unreachable");
  }

  // Waits up to 60 s for the server to accept connections.
  Status WaitReady() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::Internal("postgres exited at start on port " + std::to_string(port_) + ": " + Log());
      }
      try {
        pqxx::connection c(Url("postgres"));
        return Status::OK();
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return Status::Timeout("postgres did not accept connections within 60 s: " + Log());
  }

  void Stop(bool remove = true) {
    if (pid_ > 0) {
      ::kill(pid_, SIGINT);  // fast shutdown: disconnects clients, then exits
      bool gone = false;
      for (int i = 0; i < 200 && !gone; ++i) {  // up to 10 s
        gone = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!gone) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = -1;
    }
    if (remove && !dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int run_as_uid_ = -1;
  int run_as_gid_ = -1;
  std::atomic<int> databases_{0};
};

// A database of its own for the running test on the shared server, dropped when destroyed
// (connections still open to it are closed by the drop).
class TestDatabase {
 public:
  // Unsupported when the server binaries are absent: the caller skips its test.
  static Result<std::unique_ptr<TestDatabase>> ForCurrentTest() {
    GAGGLE_ASSIGN_OR_RETURN(PostgresTestServer * server, PostgresTestServer::Get());
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    GAGGLE_ASSIGN_OR_RETURN(std::string name, server->CreateDatabase(info != nullptr ? info->name() : "test"));
    return std::unique_ptr<TestDatabase>(new TestDatabase(server, std::move(name)));
  }
  ~TestDatabase() { (void)server_->DropDatabase(name_); }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const { return server_->Url(name_); }

 private:
  TestDatabase(PostgresTestServer* server, std::string name) : server_(server), name_(std::move(name)) {}
  PostgresTestServer* server_;
  std::string name_;
};

// A fixture base: each test gets a database of its own (url()), dropped after the
// derived fixture's members (its connections) are gone; skipped where PostgreSQL is not
// installed. A derived SetUp calls this one first and returns when IsSkipped() or
// HasFatalFailure().
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::ForCurrentTest();
    if (!db.ok() && db.status().code() == StatusCode::kUnsupported) GTEST_SKIP() << db.status().message();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  std::string url() const { return db_->url(); }

 private:
  std::unique_ptr<TestDatabase> db_;
};

}  // namespace gaggle::store_test
