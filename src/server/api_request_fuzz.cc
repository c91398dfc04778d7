// libFuzzer target: the API's request parsers — a JSON body read as the bulk route reads
// it (typed fields, a nested filter, unknown-field check), the task-state list of
// ?state=, and the STAGE:ORDINAL cursor of ?after=. Any input must give a value or a
// clear error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/api_handlers.h"
#include "server/http_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto body = gaggle::server::JsonBody::Parse(text);
  if (body.ok()) {
    (void)body->OptString("action", 32);
    (void)body->String("reason", 4096);
    (void)body->StringList("datasets", 1000);
    (void)body->OptInt("stage", 0, 1000000);
    (void)body->OptBool("final");
    auto filter = body->OptObject("filter");
    if (filter.ok() && *filter) (void)gaggle::server::TaskQueryFromJson(&**filter, "m");
    (void)body->Finish();
  }
  (void)gaggle::server::ParseStates(text);
  int stage = 0;
  int64_t ordinal = 0;
  (void)gaggle::server::ParseCursor(text, &stage, &ordinal);
  return 0;
}
