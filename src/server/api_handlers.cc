#include "server/api_handlers.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace gaggle::server {

ScratchDir::ScratchDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::optional<JsonBody> ReadBody(ApiCall& c) {
  auto body = JsonBody::Parse(c.req.body);
  if (!body.ok()) {
    c.Fail(body.status());
    return std::nullopt;
  }
  return std::move(body).value();
}

bool FinishBody(ApiCall& c, const JsonBody& body) {
  Status s = body.Finish();
  if (s.ok()) return true;
  c.Fail(s);
  return false;
}

Result<std::vector<TaskState>> ParseStates(const std::string& csv) {
  std::vector<TaskState> out;
  std::stringstream in(csv);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    auto s = ParseTaskState(name);
    if (!s.ok()) return Status::InvalidArgument("state: " + s.status().message());
    out.push_back(*s);
  }
  return out;
}

Status ParseCursor(const std::string& text, int* stage, int64_t* ordinal) {
  const size_t colon = text.find(':');
  char* end1 = nullptr;
  char* end2 = nullptr;
  if (colon != std::string::npos) {
    const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
    const long s = std::strtol(a.c_str(), &end1, 10);
    const long long o = std::strtoll(b.c_str(), &end2, 10);
    if (!a.empty() && !b.empty() && *end1 == '\0' && *end2 == '\0' && s >= -1 && s < INT32_MAX && o >= -1) {
      *stage = static_cast<int>(s);
      *ordinal = o;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("after: expected a cursor STAGE:ORDINAL from a previous page's 'next', got '" + text +
                                 "'");
}

std::vector<ParamDoc> TaskFilterParams() {
  return {{"state", "string", "comma-separated task states (pending, running, failed, needs-attention, ...)"},
          {"stage", "integer", "rollout stage"},
          {"wave", "integer", "lineage wave"},
          {"owner", "string", "the dataset's owner in the catalog"},
          {"tier", "string", "critical, standard or low"},
          {"q", "string", "a substring of the dataset id"}};
}

Result<TaskPageQuery> TaskQueryFromParams(const ApiCall& c, const std::string& migration) {
  TaskPageQuery q;
  q.migration = migration;
  GAGGLE_ASSIGN_OR_RETURN(q.states, ParseStates(c.Query("state")));
  GAGGLE_ASSIGN_OR_RETURN(int64_t stage, c.QueryInt("stage", -1, -1, 1000000));
  GAGGLE_ASSIGN_OR_RETURN(int64_t wave, c.QueryInt("wave", -1, -1, 100000000));
  q.stage = static_cast<int>(stage);
  q.wave = static_cast<int>(wave);
  q.owner = c.Query("owner");
  q.tier = c.Query("tier");
  q.text = c.Query("q");
  return q;
}

Result<TaskPageQuery> TaskQueryFromJson(JsonBody* f, const std::string& migration) {
  TaskPageQuery q;
  q.migration = migration;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> states, f->StringList("state", 20));
  for (const std::string& s : states) {
    auto st = ParseTaskState(s);
    if (!st.ok()) return Status::InvalidArgument("filter.state: " + st.status().message());
    q.states.push_back(*st);
  }
  GAGGLE_ASSIGN_OR_RETURN(auto stage, f->OptInt("stage", 0, 1000000));
  GAGGLE_ASSIGN_OR_RETURN(auto wave, f->OptInt("wave", 0, 100000000));
  GAGGLE_ASSIGN_OR_RETURN(auto owner, f->OptString("owner", 1024));
  GAGGLE_ASSIGN_OR_RETURN(auto tier, f->OptString("tier", 64));
  GAGGLE_ASSIGN_OR_RETURN(auto text, f->OptString("q", 1024));
  if (stage) q.stage = static_cast<int>(*stage);
  if (wave) q.wave = static_cast<int>(*wave);
  if (owner) q.owner = *owner;
  if (tier) q.tier = *tier;
  if (text) q.text = *text;
  GAGGLE_RETURN_IF_ERROR(f->Finish());
  return q;
}

}  // namespace gaggle::server
