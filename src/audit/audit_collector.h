// AuditCollector: gathers everything an auditor needs about one migration from the
// state store, the outputs and the logs, as the files of an audit archive
// (audit/audit_archive.h):
//   README.txt               what the archive holds and how to check it
//   spec.yaml                the migration spec as run (its sha256 is in run.json)
//   plan.json                the plan the run executed
//   run.json                 the run record: state, reason, hashes
//   tasks.jsonl              every task's final record (state, attempts, rows, errors)
//   agents.json              each agent (name, version, digest) and the datasets it wrote
//   events.jsonl             the full hash-chained event log of the state store
//   validations.jsonl        each dataset's latest validation report (the gates' evidence)
//   approvals.json           operators' gate approvals
//   verifications.jsonl      every downstream query verification, with its report
//   cutovers.json            cut-over records: previous and new locations, retention
//   manifests/<dataset>.json each output's commit record (files, sha256, row counts)
//   logs/...                 the run's logs: run.jsonl, per-task logs, agent logs, patches
// Thread-safety: reads only; safe while a runner writes (each read is a snapshot).
#pragma once

#include <string>
#include <vector>

#include "audit/audit_archive.h"
#include "common/status.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"

namespace gaggle {

struct AuditCollectOptions {
  std::string logs_dir;   // the run's logs directory (gaggle-logs beside the state file)
  std::string spec_path;  // the spec file; the run record's when empty
  // The object stores of s3:// and gs:// outputs, whose commit records (manifests naming the
  // committed attempt, with its objects) go into the archive; nullptr: the environment's.
  FileSystemResolver* resolver = nullptr;
};

// NotFound when the migration has no run record or its spec file cannot be read.
Result<std::vector<AuditFile>> CollectAuditFiles(StateStore* store, const std::string& migration,
                                                 const AuditCollectOptions& options);

}  // namespace gaggle
