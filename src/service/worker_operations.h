// Running agents away from the coordinator: `gaggle worker` (RunWorker) and the worker
// slots a coordinator keeps in its own process (LocalWorkers). Both are a FleetWorker
// (fleet/fleet_worker.h) on ctx.work_queue whose executors are made from the spec
// text the coordinator published (PublishRunSpec), with the same agents, validation and
// fault injection as a one-host run.
// Thread-safety: see service_context.h.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fleet/fleet_worker.h"
#include "service/service_context.h"
#include "spec/migration_spec.h"

namespace gaggle::service {

struct WorkerRequest {
  std::string name;    // "" : host:pid
  std::string labels;  // "k=v,k=v"
  int slots = 2;
  int lease_seconds = 30;
  std::string fault_injection;  // drills: GAGGLE_INJECT_FAULTS syntax
  int64_t max_items = 0;        // 0: until stopped
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string& line)> on_line;
};

struct WorkerOutcome {
  std::string name;
  FleetWorkerSummary summary;
  nlohmann::json ToJson() const;
};

// Runs a worker until `stop` is set (or max_items results). InvalidArgument when the
// state has no work queue (a SQLite state: workers need PostgreSQL).
Result<WorkerOutcome> RunWorker(const ServiceContext& ctx, const WorkerRequest& request);

// Publishes the spec of a run so that workers can make its executor: the spec file's own
// text, with its absolute path as origin (relative paths in it resolve as on this host).
Status PublishRunSpec(const ServiceContext& ctx, const MigrationSpec& spec);

// The executor a worker runs for a published spec (its agent, with fault injection when
// `fault_injection` is set). Checks that the text still has the hash it was published under.
Result<std::unique_ptr<TaskExecutor>> MakeSpecExecutor(const std::string& spec_text, const std::string& origin,
                                                       const std::string& fault_injection);

// Worker slots inside a coordinator's process: started by the constructor, stopped (their
// work given back to the queue) and joined by the destructor.
class LocalWorkers {
 public:
  LocalWorkers(const ServiceContext& ctx, int slots, std::function<void(const std::string&)> on_line);
  ~LocalWorkers();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace gaggle::service
