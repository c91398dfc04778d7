// The event log's hash chain: every event carries the hash of the one before it, and its
// own hash covers that link and all of its fields, so changing, removing or reordering any
// recorded event breaks the chain from there on — tampering is detectable offline (the
// audit archive) and online (`gaggle events verify`).
//
//   hash = sha256_hex(JSON [prev_hash, time, actor, migration, dataset, from, to, detail])
//
// The first chained event has prev_hash "". Events written before the chain existed (state
// files older than schema version 4) have hash "" and are reported, not judged.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "store/state_store.h"

namespace gaggle {

std::string EventHash(const std::string& prev_hash, const Event& event);

}  // namespace gaggle
