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
#include "storage/artifact_mirror.h"
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
  // For a location in object storage it is the local spool of `mirror`.
  std::string artifacts;
  // Set when the artefact location is s3:// or gs:// (storage/artifact_mirror.h): writers
  // write into the spool and publish complete files; readers fetch before they read
  // (FetchArtifacts). Its owner publishes what is left when the command ends.
  ArtifactMirror* mirror = nullptr;
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

// Where the artefacts are, for messages: the mirror's remote URI, else `artifacts`.
std::string ArtifactsShown(const ServiceContext& ctx);
// With a mirror, copies the migration's artefacts (subdir "" = all of them, else that
// folder of the migration's, e.g. "task-log") from object storage into the spool, so that
// the readers of files find them; nothing to do without one.
Status FetchArtifacts(const ServiceContext& ctx, const std::string& migration, const std::string& subdir = "");
// With a mirror, publishes the spool files of `migration` that changed (the patches a
// verification wrote, the logs of a run that ended); nothing to do without one.
Status PublishArtifacts(const ServiceContext& ctx, const std::string& migration);

// The run record of `migration`, or NotFound naming the migrations the store knows.
Result<MigrationRun> RequireRun(const ServiceContext& ctx, const std::string& migration);

}  // namespace gaggle::service
