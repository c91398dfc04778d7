// ServiceContext: what every operation of the application layer works with — the state
// store, the file system, the clock, who is acting, and where artefacts (logs, patches,
// reports) go. Front ends (the CLI today, the HTTP server next) build one per request
// and call the operations of src/service/; no rule lives in a front end.
//
// Every operation is one function: it takes the context and a typed request and returns
// a typed result that knows its JSON (ToJson), or a Status naming what and where.
// Thread-safety: a context is a set of borrowed pointers; operations may run
// concurrently on one context when its store, file system and clock allow it (all of
// gaggle's do).
#pragma once

#include <string>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "storage/file_system_resolver.h"
#include "store/control_store.h"
#include "store/state_store.h"
#include "store/work_queue.h"

namespace gaggle::service {

struct ServiceContext {
  StateStore* store = nullptr;  // required
  FileSystem* fs = FileSystem::Default();
  // The object stores of s3:// and gs:// locations; nullptr: configured from the environment.
  FileSystemResolver* resolver = nullptr;
  Clock* clock = Clock::System();
  std::string actor = "gaggle";  // recorded in the event log for every change
  // The artefact location: run and task logs, agent output, consumer patches. Its own
  // directory, not tied to the state store (many hosts share one; see docs/architecture.md).
  std::string artifacts;
  // The control plane's records (API tokens, approval links, task pages); required by
  // the operations that use them (token_operations.h, approval_operations.h, ...).
  ControlStore* control = nullptr;
  // The work queue of many-host runs (store/work_queue.h): set when the state is
  // PostgreSQL; runs with StartRunRequest::local_workers >= 0 and `gaggle worker` use it.
  WorkQueue* work_queue = nullptr;
};

// The control store, or InvalidArgument naming the operation that needs it.
Result<ControlStore*> RequireControl(const ServiceContext& ctx, const char* operation);

// The artefact location used when none is given: gaggle-logs/ beside a state file, or in
// the working directory for a PostgreSQL state.
std::string DefaultArtifactsDir(const std::string& state_location);

// The run record of `migration`, or NotFound naming the migrations the store knows.
Result<MigrationRun> RequireRun(const ServiceContext& ctx, const std::string& migration);

}  // namespace gaggle::service
