// The event log's hash chains: one chain per migration (catalog events form the chain of
// migration ""). Every event carries the hash of the newest earlier event of its chain,
// and its own hash covers that link and all of its fields, so changing, removing or
// reordering a recorded event breaks its chain from there on — tampering is detectable
// offline (the audit archive) and online (`gaggle events --verify`). The store records
// each chain's head in the same transaction as the append, so removing the newest
// events of a chain is detected too, and appends to different migrations need not wait
// for each other.
//
//   hash = sha256_hex(JSON [prev_hash, time, actor, migration, dataset, from, to, detail])
//
// The first event of a chain has prev_hash "". Older logs:
//  - events written before the chain existed (state files older than schema version 4)
//    have hash "" and are reported, not judged;
//  - events written by schema versions 4 and 5 form one chain through the whole log
//    (each links to the newest earlier event of any migration). Schema version 6 records
//    each migration's newest event as its chain's head, so the first event it appends to a
//    migration links to that migration's newest older event. EventChainFollower accepts
//    such whole-log links until the first event that links only within its migration.
// Thread-safety: pure functions; an EventChainFollower is used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "store/store_records.h"

namespace gaggle {

std::string EventHash(const std::string& prev_hash, const Event& event);

// Follows an event log in seq order and judges each event's link and hash.
class EventChainFollower {
 public:
  struct Check {
    bool chained = true;         // false: the event has no hash
    bool after_chained = false;  // an unchained event after chained ones (the chain was cut)
    bool link_ok = true;         // prev_hash names the event before it in its chain
    bool hash_ok = true;         // hash matches the event's content
    // When !link_ok: the event its prev_hash should have named (0: none, it is the first).
    int64_t expected_seq = 0;
  };
  // The state of one migration's chain so far.
  struct Chain {
    int64_t events = 0;
    int64_t head_seq = 0;
    std::string head;  // hash of its newest event
    int64_t generation = 0;
  };

  // Judges `event` (the next one in seq order) and moves its chain's head to it.
  Check Next(const Event& event);
  // An event between the last one and the next could not be read: the next event of
  // every chain is not judged by its link (its hash still is).
  void Unreadable();

  const std::map<std::string, Chain>& chains() const { return chains_; }
  // The newest chained event of the whole log.
  const std::string& newest_hash() const { return newest_hash_; }
  int64_t newest_seq() const { return newest_seq_; }

 private:
  std::map<std::string, Chain> chains_;
  std::string newest_hash_;
  int64_t newest_seq_ = 0;
  int64_t newest_generation_ = 0;
  bool any_chained_ = false;
  bool whole_log_links_ = true;  // links to the newest event of the whole log are still accepted
  int64_t generation_ = 0;       // bumped per event; an unreadable event takes one too
  int64_t unreadable_generation_ = -1;
};

// "migration 'm'", or "the catalog" for migration "".
std::string EventChainName(const std::string& migration);

}  // namespace gaggle
