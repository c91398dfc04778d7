// The fleet's core budget: how many threads one in-process agent attempt may use. The
// `concurrency` agents that run at once share the host's cores evenly, and an agent never
// gets more than it asked for (agent.threads, default 2) nor fewer than one:
//
//   threads = min(asked, max(1, cores / concurrency))
//
// So on 2 cores one agent at a time decodes, transforms and encodes its dataset on both,
// while 2 or more agents at once run one thread each (the fleet's concurrency already fills
// the cores). The share is taken when an attempt starts, from the concurrency then in force.
// Thread-safety: any thread.
#pragma once

namespace gaggle {

// std::thread::hardware_concurrency(), at least 1, read once per process: glibc reads it
// from /sys on every call (an open, a read and a close), which was 6-9% of a coordinator's
// and a worker's CPU with one call per task.
int HostCores();
// max(1, cores / concurrency); concurrency below 1 counts as 1.
int CoreShare(int cores, int concurrency);

}  // namespace gaggle
