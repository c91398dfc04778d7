// RunAgent: the one protocol every agent run follows, whoever does the work.
//
//   1. recover leftovers of dead runs beside the output;
//   2. fingerprint the input (every data file's content hash);
//   3. if the committed output's manifest matches input, spec hash and agent
//      identity, do nothing and say so (idempotence);
//   4. let the agent stage the output, checking cancellation and the deadline;
//   5. verify the staged files (read back, convert to the target format where an
//      external agent wrote another, count rows, content checksum, sha256, row
//      accounting, dead-letter budget);
//   6. write the manifest into the staging directory and commit it atomically.
// An s3:// or gs:// output is staged in a local scratch directory and committed without
// rename (agent/object_output_committer.h): uploaded to a fresh attempt prefix, the
// manifest naming it written last; "the committed output" in 3. is the attempt that
// manifest names, trusted only when the store's listing matches it.
// On any failure the staging directory is removed and the previous output stays.
// Errors keep their type: I/O and timeouts are retryable, the rest permanent.
#pragma once

#include "agent/agent.h"
#include "storage/file_system_resolver.h"

namespace gaggle {

// sha256 of the spec sections that shape an agent's output (name, version, agent,
// transform, target format/compression/row groups, dead_letter): the manifest's
// spec_hash. Changing gates, rollout, fleet, notify or a target URI template does not
// re-run datasets whose output would be byte-identical.
std::string OutputSpecHash(const MigrationSpec& spec);

// The local directory an object-store output (a normalised s3:// or gs:// URI) is staged
// in before its upload: $TMPDIR/gaggle-object-staging/<hash of the URI>, one per output
// location. Its staging area, DIR.gaggle-work/, is recovered like a local output's.
std::string ObjectScratchDir(const std::string& output_uri);

struct AgentRunResult {
  bool skipped = false;  // output was already current
  Manifest manifest;
  std::string message;
  // Where the committed files are: the output directory, or on an object store the
  // committed attempt's prefix (OUTPUT/_gaggle_attempts/ID).
  std::string output_root;
};

// `fs` serves local paths (the staging directory is always local); `resolver` serves
// s3:// and gs:// sources and outputs (nullptr: object stores configured from the
// environment alone). An object-store output is staged locally, then committed without
// rename by ObjectOutputCommitter; a local one by OutputCommitter, as before.
Result<AgentRunResult> RunAgent(Agent* agent, const MigrationSpec& spec, const AgentTask& task,
                                CancellationToken* token, const ProgressCallback& progress,
                                FileSystem* fs = FileSystem::Default(), FileSystemResolver* resolver = nullptr);

}  // namespace gaggle
