#include "audit/event_jsonl.h"

#include <cstdint>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

namespace gaggle {

namespace {

using OrderedJson = nlohmann::ordered_json;

// The string fields in line order, with where each lives in an Event.
struct StringField {
  const char* name;
  std::string Event::*member;
};
constexpr StringField kStringFields[] = {
    {"time", &Event::time},       {"actor", &Event::actor},         {"migration", &Event::migration},
    {"dataset", &Event::dataset}, {"from", &Event::from_state},     {"to", &Event::to_state},
    {"detail", &Event::detail},   {"prev_hash", &Event::prev_hash}, {"hash", &Event::hash},
};

}  // namespace

std::string EventToJsonLine(const Event& e) {
  OrderedJson j = OrderedJson::object();
  j["seq"] = e.seq;
  for (const auto& f : kStringFields) j[f.name] = e.*f.member;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EventsToJsonl(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) {
    out += EventToJsonLine(e);
    out += '\n';
  }
  return out;
}

Result<Event> EventFromJsonLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("event line is not valid JSON");
  if (!j.is_object()) return Status::Corruption("event line is not a JSON object");
  Event e;
  auto seq = j.find("seq");
  if (seq == j.end()) return Status::Corruption("event has no field 'seq'");
  if (!seq->is_number_integer())
    return Status::Corruption("event field 'seq' must be an integer, not " + std::string(seq->type_name()));
  if (seq->is_number_unsigned() && seq->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::Corruption("event field 'seq' is out of range");
  }
  e.seq = seq->get<int64_t>();
  for (const auto& f : kStringFields) {
    auto it = j.find(f.name);
    if (it == j.end()) return Status::Corruption("event " + std::to_string(e.seq) + " has no field '" + f.name + "'");
    if (!it->is_string()) {
      return Status::Corruption("event " + std::to_string(e.seq) + " field '" + f.name + "' must be a string, not " +
                                it->type_name());
    }
    e.*f.member = it->get<std::string>();
  }
  if (j.size() != 1 + std::size(kStringFields)) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = it.key() == "seq";
      for (const auto& f : kStringFields) known = known || it.key() == f.name;
      if (!known) return Status::Corruption("event " + std::to_string(e.seq) + " has unknown field '" + it.key() + "'");
    }
  }
  return e;
}

}  // namespace gaggle
