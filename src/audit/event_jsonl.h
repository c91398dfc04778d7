// events.jsonl, the event log inside an audit archive: one JSON object per line, fields in
// this order: seq, time, actor, migration, dataset, from, to, detail, prev_hash, hash
// (`from`/`to` are Event::from_state/to_state). The collector writes lines with EventToJsonLine
// and the verifier reads them with EventFromJsonLine, so both sides agree on the format.
//
// Strings that are not valid UTF-8 are written with U+FFFD in place of the bad bytes, the same
// replacement EventHash (store/event_chain.h) makes, so such an event still verifies.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/state_store.h"

namespace gaggle {

// One line, without the trailing newline.
std::string EventToJsonLine(const Event& event);
// Every event's line followed by "\n": the whole events.jsonl.
std::string EventsToJsonl(const std::vector<Event>& events);

// Parses one line (a trailing "\r" or "\n" is tolerated). Every field is required, with its
// type (seq an integer, the rest strings); an unknown field is an error too. Errors are
// Corruption naming the field.
Result<Event> EventFromJsonLine(std::string_view line);

}  // namespace gaggle
