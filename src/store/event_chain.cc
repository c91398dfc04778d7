#include "store/event_chain.h"

#include <nlohmann/json.hpp>

#include "common/digest.h"

namespace gaggle {

std::string EventHash(const std::string& prev_hash, const Event& e) {
  nlohmann::json fields =
      nlohmann::json::array({prev_hash, e.time, e.actor, e.migration, e.dataset, e.from_state, e.to_state, e.detail});
  return Sha256Hex(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string EventChainName(const std::string& migration) {
  return migration.empty() ? std::string("the catalog") : "migration '" + migration + "'";
}

EventChainFollower::Check EventChainFollower::Next(const Event& e) {
  Check check;
  ++generation_;
  if (e.hash.empty()) {
    check.chained = false;
    check.after_chained = any_chained_;
    return check;
  }
  Chain& chain = chains_[e.migration];
  // After an unreadable event the link of the next event of each chain is not judged:
  // that event may have been the one it names.
  const bool known = chain.generation > unreadable_generation_ && newest_generation_ > unreadable_generation_;
  if (known) {
    const bool within = e.prev_hash == chain.head;
    const bool whole_log = whole_log_links_ && e.prev_hash == newest_hash_;
    if (within && !whole_log) whole_log_links_ = false;  // from here on, links are per migration
    check.link_ok = within || whole_log;
  }
  if (!check.link_ok) check.expected_seq = whole_log_links_ ? newest_seq_ : chain.head_seq;
  check.hash_ok = EventHash(e.prev_hash, e) == e.hash;

  ++chain.events;
  chain.head = e.hash;
  chain.head_seq = e.seq;
  chain.generation = generation_;
  newest_hash_ = e.hash;
  newest_seq_ = e.seq;
  newest_generation_ = generation_;
  any_chained_ = true;
  return check;
}

void EventChainFollower::Unreadable() { unreadable_generation_ = ++generation_; }

}  // namespace gaggle
