#include "service/consumer_branch.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "verify/query_patch.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

// A real git repository made by the test, removed afterwards.
class TestRepo {
 public:
  TestRepo() : path_(fs::temp_directory_path() / ("gaggle-consumer-branch-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    Sh("git init -q -b main . && git config user.email dev@example.com && git config user.name Dev");
  }
  ~TestRepo() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

  // Runs `cmd` in the repository; its standard output (and error), trailing newline dropped.
  std::string Sh(const std::string& cmd, int* rc = nullptr) const {
    FILE* p = ::popen(("cd '" + path() + "' && (" + cmd + ") 2>&1").c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    if (rc)
      *rc = status;
    else
      EXPECT_EQ(status, 0) << cmd << ":\n" << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  void Write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(path_ / rel, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  fs::path path_;
};

RewriteRules EventsRules() {
  RewriteRules rules;
  TableChange c;
  c.new_table = "v2.events_raw";
  c.columns = {"user_id", "ts", "amount", "country"};
  c.renamed = {{"user_id", "account_id"}, {"ts", "event_time"}};
  rules.migrated["events_raw"] = c;
  rules.other_tables["users"] = {"user_id", "name"};
  return rules;
}

const char* kOrders =
    "-- revenue per country (billing)\n"
    "SELECT country, SUM(amount) AS revenue\n"
    "FROM events_raw /* all events */\n"
    "GROUP BY country;\n"
    "\n"
    "SELECT user_id, MAX(ts) AS last_seen FROM events_raw GROUP BY user_id -- no ';'";
const char* kOrdersAfter =
    "-- revenue per country (billing)\n"
    "SELECT country, SUM(amount) AS revenue\n"
    "FROM v2.events_raw /* all events */\n"
    "GROUP BY country;\n"
    "\n"
    "SELECT account_id AS user_id, MAX(event_time) AS last_seen FROM v2.events_raw GROUP BY account_id -- no ';'";
const char* kActive = "SELECT COUNT(DISTINCT user_id)\r\nFROM events_raw\r\nWHERE ts > now() - INTERVAL 1 DAY;\r\n";
const char* kActiveAfter =
    "SELECT COUNT(DISTINCT account_id)\r\nFROM v2.events_raw\r\nWHERE event_time > now() - INTERVAL 1 DAY;\r\n";

// A repository with two consumers' files, an unrelated file, a committed symlink and
// the user mid-work: an edited README, an untracked note, a staged file.
void SetUpEstate(const TestRepo& repo) {
  repo.Write("sql/orders.sql", kOrders);
  repo.Write("dash/active.sql", kActive);
  repo.Write("sql/names.sql", "SELECT name FROM users\n");
  repo.Write("README.md", "consumers\n");
  repo.Sh("ln -s /tmp outside && ln -s ../README.md sql/readme.sql && git add -A && git commit -qm base");
  repo.Write("README.md", "consumers, being edited\n");
  repo.Write("notes.txt", "untracked\n");
  repo.Write("staged.txt", "staged\n");
  repo.Sh("git add staged.txt");
}

std::vector<ConsumerFiles> TwoConsumers() {
  return {{"component:billing", {"sql/orders.sql", "sql/names.sql"}, EventsRules(), {}},
          {"component:dashboard", {"dash/active.sql"}, EventsRules(), {}}};
}

TEST(ConsumerBranchTest, OneCommitPerConsumerAndTheCheckoutUntouched) {
  TestRepo repo;
  SetUpEstate(repo);
  const std::string head = repo.Sh("git rev-parse HEAD");
  const std::string status = repo.Sh("git status --porcelain");
  const std::string index = repo.Sh("git ls-files -s");
  auto git = GitCheckout::Open(repo.path() + "/sql");
  ASSERT_TRUE(git.ok()) << git.status().ToString();
  ConsumerBranchOptions o;
  o.branch = "gaggle/clean";
  o.migration = "clean";
  auto r = WriteConsumerBranch(*git, TwoConsumers(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->base, head);
  EXPECT_EQ(r->Commits(), 2);
  EXPECT_EQ(repo.Sh("git rev-parse gaggle/clean"), r->head);
  EXPECT_EQ(repo.Sh("git rev-list --count main..gaggle/clean"), "2");
  EXPECT_EQ(repo.Sh("git rev-parse gaggle/clean~2"), head);
  // Each commit changes exactly its consumer's files that needed a change.
  EXPECT_EQ(repo.Sh("git diff-tree --no-commit-id --name-only -r gaggle/clean~1"), "sql/orders.sql");
  EXPECT_EQ(repo.Sh("git diff-tree --no-commit-id --name-only -r gaggle/clean"), "dash/active.sql");
  EXPECT_NE(repo.Sh("git log -1 --format=%B gaggle/clean~1").find("component:billing"), std::string::npos);
  EXPECT_EQ(repo.Sh("git show gaggle/clean:sql/orders.sql") + "", kOrdersAfter);  // no final newline either
  EXPECT_EQ(repo.Sh("git cat-file -p gaggle/clean:dash/active.sql") + "\n", kActiveAfter);
  // The user's branch, working tree and index are as they were.
  EXPECT_EQ(repo.Sh("git symbolic-ref --short HEAD"), "main");
  EXPECT_EQ(repo.Sh("git rev-parse HEAD"), head);
  EXPECT_EQ(repo.Sh("git status --porcelain"), status);
  EXPECT_EQ(repo.Sh("git ls-files -s"), index);
  EXPECT_EQ(repo.Read("sql/orders.sql"), kOrders);
  EXPECT_EQ(repo.Read("README.md"), "consumers, being edited\n");
  // Every produced patch applies to the user's checkout with `git apply --check`.
  ASSERT_EQ(r->consumers.size(), 2u);
  for (const ConsumerCommit& c : r->consumers) {
    for (const ConsumerFileChange& f : c.files) {
      if (f.patch.empty()) continue;
      repo.Write(".git/check.patch", f.patch);
      repo.Sh("git apply --check .git/check.patch");
    }
  }
  EXPECT_EQ(r->consumers[0].files[0].rewrite.Changed(), 2);
  EXPECT_EQ(r->consumers[0].files[1].patch, "");  // names.sql reads only users
}

TEST(ConsumerBranchTest, RefusesWhatItMustNotTouch) {
  TestRepo repo;
  SetUpEstate(repo);
  auto git = GitCheckout::Open(repo.path());
  ASSERT_TRUE(git.ok()) << git.status().ToString();
  ConsumerBranchOptions o;
  o.branch = "gaggle/clean";
  auto only = [](std::string path) {
    return std::vector<ConsumerFiles>{{"component:x", {std::move(path)}, EventsRules(), {}}};
  };
  struct Case {
    std::vector<ConsumerFiles> consumers;
    std::string branch;
    StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {only("../elsewhere.sql"), "b1", StatusCode::kInvalidArgument, "climbs out with '..'"},
      {only("/etc/passwd"), "b1", StatusCode::kInvalidArgument, "absolute"},
      {only("outside/x.sql"), "b1", StatusCode::kInvalidArgument, "goes through the symlink 'outside'"},
      {only("sql/readme.sql"), "b1", StatusCode::kInvalidArgument, "is a symlink"},
      {only("sql/missing.sql"), "b1", StatusCode::kNotFound, "sql/missing.sql"},
      {only("sql/orders.sql"), "main", StatusCode::kConflict, "never moves the branch you are on"},
      {only("sql/orders.sql"), "bad..name", StatusCode::kInvalidArgument, "not a valid branch name"},
  };
  for (const Case& c : cases) {
    o.branch = c.branch;
    auto r = WriteConsumerBranch(*git, c.consumers, o);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().ToString();
  }
  // A dirty file to change is refused; dirt elsewhere (README.md) is not.
  repo.Write("sql/orders.sql", std::string(kOrders) + "\n-- mine\n");
  o.branch = "gaggle/clean";
  auto dirty = WriteConsumerBranch(*git, only("sql/orders.sql"), o);
  ASSERT_FALSE(dirty.ok());
  EXPECT_EQ(dirty.status().code(), StatusCode::kConflict);
  EXPECT_NE(dirty.status().message().find("M sql/orders.sql"), std::string::npos) << dirty.status().ToString();
  repo.Sh("git checkout -q -- sql/orders.sql");
  // An existing branch is kept unless replacing is asked for.
  repo.Sh("git branch gaggle/clean HEAD");
  auto exists = WriteConsumerBranch(*git, only("sql/orders.sql"), o);
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), StatusCode::kAlreadyExists) << exists.status().ToString();
  o.replace_branch = true;
  auto replaced = WriteConsumerBranch(*git, only("sql/orders.sql"), o);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->replaced, repo.Sh("git rev-parse main"));
  EXPECT_EQ(repo.Sh("git rev-list --count main..gaggle/clean"), "1");
  // A branch checked out in another worktree is never moved, even when replacing.
  repo.Sh("git worktree add -q ../gaggle-wt-" + std::to_string(::getpid()) + " gaggle/clean");
  auto in_use = WriteConsumerBranch(*git, only("sql/orders.sql"), o);
  repo.Sh("git worktree remove --force ../gaggle-wt-" + std::to_string(::getpid()));
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.status().code(), StatusCode::kConflict) << in_use.status().ToString();
}

TEST(ConsumerBranchTest, NothingToChangeMakesNoBranch) {
  TestRepo repo;
  SetUpEstate(repo);
  auto git = GitCheckout::Open(repo.path());
  ASSERT_TRUE(git.ok());
  ConsumerBranchOptions o;
  o.branch = "gaggle/none";
  auto r = WriteConsumerBranch(*git, {{"component:names", {"sql/names.sql"}, EventsRules(), {}}}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->head, "");
  EXPECT_EQ(r->Commits(), 0);
  int rc = 0;
  repo.Sh("git rev-parse --verify --quiet refs/heads/gaggle/none", &rc);
  EXPECT_NE(rc, 0);
}

TEST(ConsumerBranchTest, NotARepository) {
  const std::string dir = (fs::temp_directory_path() / ("gaggle-not-a-repo-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  auto git = GitCheckout::Open(dir);
  fs::remove_all(dir);
  ASSERT_FALSE(git.ok());
  EXPECT_NE(git.status().message().find("is not a git checkout"), std::string::npos) << git.status().ToString();
}

}  // namespace
}  // namespace gaggle
