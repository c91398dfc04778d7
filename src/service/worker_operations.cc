#include "service/worker_operations.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/agent.h"
#include "fleet/agent_task_executor.h"
#include "fleet/fault_injection.h"
#include "fleet/runner_identity.h"
#include "store/state_store.h"

namespace gaggle::service {

namespace {

// An agent executor that owns the spec it was made from (AgentTaskExecutor borrows it),
// with fault injection in front when asked.
class SpecExecutor final : public TaskExecutor {
 public:
  static Result<std::unique_ptr<SpecExecutor>> Make(MigrationSpec spec, const std::string& faults) {
    std::unique_ptr<SpecExecutor> e(new SpecExecutor(std::move(spec)));
    GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, MakeAgent(e->spec_));
    e->agent_ = std::make_unique<AgentTaskExecutor>(e->spec_, std::move(agent));
    if (!faults.empty()) {
      GAGGLE_ASSIGN_OR_RETURN(e->faults_, FaultInjectingExecutor::Parse(faults, e->agent_.get()));
    }
    return e;
  }
  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override {
    return inner()->Execute(task, token, context);
  }
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) override {
    return inner()->Validate(task, token);
  }

 private:
  explicit SpecExecutor(MigrationSpec spec) : spec_(std::move(spec)) {}
  TaskExecutor* inner() { return faults_ ? static_cast<TaskExecutor*>(faults_.get()) : agent_.get(); }
  MigrationSpec spec_;
  std::unique_ptr<AgentTaskExecutor> agent_;
  std::unique_ptr<FaultInjectingExecutor> faults_;
};

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

FleetWorkerOptions WorkerOptions(const ServiceContext& ctx, const WorkerRequest& r) {
  FleetWorkerOptions o;
  o.host = HostName();
  o.name = r.name.empty() ? o.host + ":" + std::to_string(::getpid()) : r.name;
  o.labels = r.labels;
  o.slots = r.slots;
  o.lease = std::chrono::seconds(r.lease_seconds);
  o.artifacts = ctx.artifacts;
  if (ArtifactMirror* mirror = ctx.mirror) {
    // An agent appends to its log: continue what attempts on other hosts uploaded, then
    // upload the whole file again. A failure costs log lines only, never the task.
    o.sync_agent_log = [mirror, spool = ctx.artifacts](const std::string& log, bool starting) {
      std::error_code ec;
      Status st;
      if (starting) {
        std::filesystem::create_directories(std::filesystem::path(log).parent_path(), ec);
        st = mirror->FetchFile(log.substr(spool.size() + 1)).status();
      } else if (std::filesystem::is_regular_file(log, ec)) {
        st = mirror->Upload(log);
      }
      if (!st.ok()) std::cerr << "gaggle worker: warning: agent log: " << st.ToString() << "\n";
    };
  }
  o.clock = ctx.clock;
  o.max_items = r.max_items;
  o.on_line = r.on_line;
  o.make_executor = [faults = r.fault_injection](const std::string& text, const std::string& origin) {
    return MakeSpecExecutor(text, origin, faults);
  };
  return o;
}

}  // namespace

Result<std::unique_ptr<TaskExecutor>> MakeSpecExecutor(const std::string& spec_text, const std::string& origin,
                                                       const std::string& fault_injection) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec spec, ParseMigrationSpec(spec_text, origin));
  GAGGLE_ASSIGN_OR_RETURN(auto executor, SpecExecutor::Make(std::move(spec), fault_injection));
  return std::unique_ptr<TaskExecutor>(std::move(executor));
}

Status PublishRunSpec(const ServiceContext& ctx, const MigrationSpec& spec) {
  if (ctx.work_queue == nullptr) {
    return Status::InvalidArgument("state '" + ctx.store->location() +
                                   "' has no work queue: running agents on workers needs a PostgreSQL state");
  }
  std::ifstream in(spec.origin, std::ios::binary);
  if (!in) return Status::NotFound("cannot read spec '" + spec.origin + "' to publish it to the workers");
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  const std::string origin = std::filesystem::absolute(spec.origin, ec).string();
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec reread, ParseMigrationSpec(text.str(), origin));
  if (reread.hash != spec.hash) {
    return Status::Conflict("spec '" + spec.origin + "' changed while the run started; start it again");
  }
  return ctx.work_queue->PublishSpec(spec.hash, spec.name, text.str(), origin, NowIso8601());
}

Result<WorkerOutcome> RunWorker(const ServiceContext& ctx, const WorkerRequest& request) {
  if (ctx.work_queue == nullptr) {
    return Status::InvalidArgument("state '" + ctx.store->location() +
                                   "' is not shared: `gaggle worker` needs a PostgreSQL state "
                                   "(--state postgres://...); a SQLite state runs its agents in `gaggle run`");
  }
  GAGGLE_ASSIGN_OR_RETURN(auto labels, ParseWorkerLabels(request.labels));
  FleetWorkerOptions options = WorkerOptions(ctx, request);
  options.labels = FormatWorkerLabels(labels);  // sorted: what claims match against
  FleetWorker worker(ctx.work_queue, options);
  GAGGLE_ASSIGN_OR_RETURN(FleetWorkerSummary summary, worker.Run(request.stop));
  return WorkerOutcome{options.name, summary};
}

nlohmann::json WorkerOutcome::ToJson() const {
  return {{"worker", name},           {"claimed", summary.claimed},          {"recorded", summary.recorded},
          {"fenced", summary.fenced}, {"released", summary.released},        {"failed_reports", summary.failed_reports},
          {"claims", summary.claims}, {"empty_claims", summary.empty_claims}};
}

LocalWorkers::LocalWorkers(const ServiceContext& ctx, int slots, std::function<void(const std::string&)> on_line) {
  WorkerRequest r;
  r.name = CurrentRunnerIdentity() + ":local";
  r.slots = slots;
  r.stop = &stop_;
  r.on_line = std::move(on_line);
  thread_ = std::thread([ctx, r] {
    auto done = RunWorker(ctx, r);
    if (!done.ok() && r.on_line) r.on_line("local workers stopped: " + done.status().ToString());
  });
}

LocalWorkers::~LocalWorkers() {
  stop_.store(true);
  thread_.join();
}

}  // namespace gaggle::service
