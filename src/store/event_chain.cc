#include "store/event_chain.h"

#include <nlohmann/json.hpp>

#include "common/digest.h"

namespace gaggle {

std::string EventHash(const std::string& prev_hash, const Event& e) {
  nlohmann::json fields =
      nlohmann::json::array({prev_hash, e.time, e.actor, e.migration, e.dataset, e.from_state, e.to_state, e.detail});
  return Sha256Hex(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace gaggle
