#include "cli/worker_command.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/cli_support.h"
#include "service/worker_operations.h"

namespace gaggle::cli {
namespace {

struct WorkerArgs {
  std::string state;
  std::string artifacts;
  std::string name;
  std::string labels;
  int slots = 2;
  int lease = 30;
  int64_t max_items = 0;
  bool json = false;
  bool quiet = false;
};

std::atomic<bool> g_worker_stop{false};

extern "C" void OnWorkerStopSignal(int) {
  g_worker_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second signal kills at once: leases expire and work runs again
  std::signal(SIGTERM, SIG_DFL);
}

int RunWorkerCommand(const WorkerArgs& a) {
  auto c = OpenCliContext(a.state, a.artifacts, /*must_exist=*/true);
  if (!c.ok()) return ReportError(c.status());
  Status attached = AttachWorkQueue(&*c, a.state, "gaggle worker");
  if (!attached.ok()) return ReportError(attached);
  service::WorkerRequest r;
  r.name = a.name;
  r.labels = a.labels;
  r.slots = a.slots;
  r.lease_seconds = a.lease;
  r.max_items = a.max_items;
  if (const char* inject = std::getenv("GAGGLE_INJECT_FAULTS"); inject && *inject) r.fault_injection = inject;
  r.stop = &g_worker_stop;
  if (!a.quiet) r.on_line = [](const std::string& line) { std::cerr << "gaggle worker: " << line << std::endl; };
  g_worker_stop.store(false);
  std::signal(SIGINT, OnWorkerStopSignal);
  std::signal(SIGTERM, OnWorkerStopSignal);
  auto done = service::RunWorker(c->ctx, r);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!done.ok()) return ReportError(done.status());
  if (a.json) {
    std::cout << JsonText(done->ToJson()) << std::endl;
  } else {
    const FleetWorkerSummary& s = done->summary;
    std::cout << "worker " << done->name << ": " << s.claimed << " claimed, " << s.recorded << " reported, " << s.fenced
              << " fenced (lease lost), " << s.released << " given back; " << s.claims << " claims (" << s.empty_claims
              << " found nothing)\n";
  }
  return kExitOk;
}

int ListWorkersCommand(const WorkerArgs& a) {
  auto c = OpenCliContext(a.state, a.artifacts, /*must_exist=*/true);
  if (!c.ok()) return ReportError(c.status());
  Status attached = AttachWorkQueue(&*c, a.state, "gaggle workers");
  if (!attached.ok()) return ReportError(attached);
  auto workers = c->ctx.work_queue->ListWorkers();
  if (!workers.ok()) return ReportError(workers.status());
  const int64_t now = c->ctx.clock->NowMillis();
  nlohmann::json out = nlohmann::json::array();
  for (const WorkerInfo& w : *workers) {
    out.push_back({{"name", w.name},
                   {"host", w.host},
                   {"labels", w.labels},
                   {"slots", w.slots},
                   {"started_at", w.started_at},
                   {"seen_seconds_ago", static_cast<double>(now - w.seen_ms) / 1000.0},
                   {"reported", w.finished},
                   {"fenced", w.fenced}});
  }
  if (a.json) {
    std::cout << JsonText(out) << std::endl;
    return kExitOk;
  }
  std::cout << "worker  host  slots  last seen  reported  fenced  labels\n";
  for (const auto& w : out) {
    std::cout << w["name"].get<std::string>() << "  " << w["host"].get<std::string>() << "  " << w["slots"] << "  "
              << HumanDuration(w["seen_seconds_ago"].get<double>()) << " ago  " << w["reported"] << "  " << w["fenced"]
              << "  " << w["labels"].get<std::string>() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddWorkerCommand(CLI::App* app, int* exit_code) {
  auto a = std::make_shared<WorkerArgs>();
  CLI::App* cmd = app->add_subcommand(
      "worker",
      "Run agents for the coordinators of a shared PostgreSQL state, on this host. A coordinator\n"
      "(`gaggle run SPEC --local-workers 0`, or `gaggle serve`) decides what may run; workers claim\n"
      "task attempts and validations from the store's work queue (FOR UPDATE SKIP LOCKED), run\n"
      "them, and report. Each claim is a lease, extended by heartbeat; a worker that loses it\n"
      "(paused, partitioned, slow) can neither publish its output nor record its result, and the\n"
      "work runs again elsewhere without spending a retry. Sources and targets must be reachable\n"
      "at the same paths on every host (a shared file system, or object storage).\n"
      "SIGTERM/SIGINT: stop claiming, give running work back to the queue, exit 0.");
  cmd->add_option("--state", a->state, "The shared state: postgres://user@host/db")->required();
  cmd->add_option("--artifacts", a->artifacts,
                  "Artefact location shared with the coordinator (agent logs): a shared directory, or "
                  "s3://bucket/prefix or gs://bucket/prefix (spooled here, uploaded when the worker stops); "
                  "default: gaggle-logs/ here");
  AddObjectStoreOptions(cmd);
  cmd->add_option("--name", a->name, "This worker's name, unique among live workers (default: host:pid)");
  cmd->add_option("--labels", a->labels,
                  "k=v,k=v: this worker runs only migrations whose fleet.worker_labels it has all of "
                  "(and any without); shown by `gaggle workers`");
  cmd->add_option("--slots", a->slots, "Work items at once")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--lease", a->lease, "Seconds a claim lasts without a heartbeat")
      ->capture_default_str()
      ->check(CLI::Range(2, 3600));
  cmd->add_option("--max-items", a->max_items, "Exit after reporting this many results (0: run until stopped)")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the summary as JSON");
  cmd->add_flag("-q,--quiet", a->quiet, "No line per claimed item on stderr");
  cmd->callback([a, exit_code] { *exit_code = RunWorkerCommand(*a); });

  auto l = std::make_shared<WorkerArgs>();
  CLI::App* list = app->add_subcommand(
      "workers",
      "List the workers that ever registered with a shared PostgreSQL state: host, slots, when each\n"
      "was last seen (a live worker beats every lease/3), results reported and results fenced.");
  list->add_option("--state", l->state, "The shared state: postgres://user@host/db")->required();
  list->add_flag("--json", l->json, "Print JSON");
  list->callback([l, exit_code] { *exit_code = ListWorkersCommand(*l); });
}

}  // namespace gaggle::cli
