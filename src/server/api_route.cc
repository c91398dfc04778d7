#include "server/api_route.h"

#include <cstdlib>

#include "server/http_json.h"

namespace gaggle::server {

const char* AccessName(Access a) {
  switch (a) {
    case Access::kPublic: return "public";
    case Access::kViewer: return "viewer";
    case Access::kOperator: return "operator";
    case Access::kAdmin: return "admin";
  }
  return "viewer";
}

void ApiCall::Json(const nlohmann::json& j, int status) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

void ApiCall::Fail(const Status& s) {
  res.status = HttpStatusFor(s);
  res.set_content(ErrorBody(StatusCodeName(s.code()), s.message()), "application/json");
}

void ApiCall::Forbid(const std::string& message) {
  res.status = 403;
  res.set_content(ErrorBody("PermissionDenied", message), "application/json");
}

std::string ApiCall::Query(const std::string& name, const std::string& fallback) const {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

Result<int64_t> ApiCall::QueryInt(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE) {
    return Status::InvalidArgument("query parameter " + name + ": expected an integer, got '" + text + "'");
  }
  if (v < min || v > max) {
    return Status::InvalidArgument("query parameter " + name + ": must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + " (got " + text + ")");
  }
  return static_cast<int64_t>(v);
}

void CompileRoute(Route* route) {
  std::string re = "^";
  const std::string& p = route->path;
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '{') {
      const size_t close = p.find('}', i);
      std::string name = p.substr(i + 1, close - i - 1);
      const bool greedy = !name.empty() && name.back() == '+';
      if (greedy) name.pop_back();
      route->path_params.push_back(name);
      re += greedy ? "(.+)" : "([^/]+)";
      i = close + 1;
    } else {
      const char c = p[i++];
      if (std::string(".^$|()[]*+?\\").find(c) != std::string::npos) re += '\\';
      re += c;
    }
  }
  route->pattern = std::regex(re + "$");
}

namespace {

nlohmann::json Schema(const std::string& type) {
  if (type == "string[]") return {{"type", "array"}, {"items", {{"type", "string"}}}};
  if (type == "object") return {{"type", "object"}};
  return {{"type", type}};
}

std::string DocPath(const std::string& path) {
  std::string out = path;
  for (size_t i = out.find("+}"); i != std::string::npos; i = out.find("+}")) out.erase(i, 1);
  return out;
}

nlohmann::json Operation(const Route& r) {
  nlohmann::json op = {
      {"summary", r.summary}, {"operationId", r.method + " " + r.path}, {"x-gaggle-role", AccessName(r.access)}};
  nlohmann::json params = nlohmann::json::array();
  for (const std::string& name : r.path_params) {
    params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  for (const ParamDoc& q : r.query) {
    params.push_back({{"name", q.name},
                      {"in", "query"},
                      {"required", q.required},
                      {"description", q.description},
                      {"schema", Schema(q.type)}});
  }
  if (!params.empty()) op["parameters"] = params;
  if (!r.body.empty()) {
    nlohmann::json props = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    for (const ParamDoc& f : r.body) {
      nlohmann::json s = Schema(f.type);
      s["description"] = f.description;
      props[f.name] = s;
      if (f.required) required.push_back(f.name);
    }
    nlohmann::json schema = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
    if (!required.empty()) schema["required"] = required;
    op["requestBody"] = {{"required", !required.empty()}, {"content", {{"application/json", {{"schema", schema}}}}}};
  }
  nlohmann::json responses = {{"200", {{"description", "OK"}, {"content", {{r.produces, nlohmann::json::object()}}}}}};
  const nlohmann::json err = {{"$ref", "#/components/responses/Error"}};
  responses["400"] = err;
  responses["404"] = err;
  if (r.access != Access::kPublic) {
    responses["401"] = err;
    responses["403"] = err;
    op["security"] = nlohmann::json::array({{{"bearer", nlohmann::json::array()}}});
  } else {
    op["security"] = nlohmann::json::array();
  }
  if (r.method != "GET") responses["409"] = err;
  op["responses"] = responses;
  return op;
}

}  // namespace

nlohmann::json OpenApiDocument(const std::vector<Route>& routes, const std::string& version) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& r : routes) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[DocPath(r.path)][method] = Operation(r);
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "gaggle control plane API"},
            {"version", version},
            {"description",
             "Migrations, datasets, approvals, the catalog and events of a gaggle state. Roles: viewer reads; "
             "operator pauses, resumes, approves and sets concurrency; admin rolls back, runs gc, creates "
             "migrations and manages tokens. See docs/control-plane.md."}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"responses",
             {{"Error",
               {{"description", "An error naming what and where"},
                {"content",
                 {{"application/json",
                   {{"schema",
                     {{"type", "object"},
                      {"properties",
                       {{"error",
                         {{"type", "object"},
                          {"properties",
                           {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}}}}}}}};
}

}  // namespace gaggle::server
