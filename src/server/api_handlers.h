// Helpers shared by the route groups (api_*_routes.cc): sending an operation's result,
// reading a JSON body, and the task filter from query parameters or a JSON object.
// Private to src/server.
#pragma once

#include <string>

#include "server/api_route.h"
#include "server/api_server.h"
#include "server/http_json.h"
#include "store/control_records.h"

namespace gaggle::server {

// Sends r->ToJson(), or the error.
template <typename T>
void Send(ApiCall& c, const Result<T>& r, int status = 200) {
  if (!r.ok()) return c.Fail(r.status());
  c.Json(r->ToJson(), status);
}

// Parses the body; on failure writes the 400 and returns nullopt.
std::optional<JsonBody> ReadBody(ApiCall& c);
// Finishes the body (unknown fields); on failure writes the 400 and returns false.
bool FinishBody(ApiCall& c, const JsonBody& body);

// "failed,needs-attention" -> states; InvalidArgument naming the bad one.
Result<std::vector<TaskState>> ParseStates(const std::string& csv);
// The filter of a task page from query parameters (state, stage, wave, owner, tier, q).
Result<TaskPageQuery> TaskQueryFromParams(const ApiCall& c, const std::string& migration);
// The filter of a bulk action or rollback from a JSON object (same fields).
Result<TaskPageQuery> TaskQueryFromJson(JsonBody* filter, const std::string& migration);
// "STAGE:ORDINAL" -> cursor.
Status ParseCursor(const std::string& text, int* stage, int64_t* ordinal);

// A fresh private directory for one request's files (mkdtemp: never one that existed),
// removed with everything in it when the object goes. path() is empty when it could
// not be made.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The query parameters of a task filter, for route documentation.
std::vector<ParamDoc> TaskFilterParams();

}  // namespace gaggle::server
