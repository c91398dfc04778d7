// The API's routes as data: method, path template, the role it needs, its query
// parameters and JSON body fields, and its handler. The server dispatches from this
// table and the OpenAPI document (openapi.h) is generated from it, so every route is
// documented and every documented route is served.
// Thread-safety: a route table is built once, then only read.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "service/service_context.h"
#include "service/token_operations.h"

namespace gaggle::server {

class ApiServer;

// Who may call a route: anyone, or a valid token with at least this role.
enum class Access { kPublic, kViewer, kOperator, kAdmin };
const char* AccessName(Access a);

// One call being served: the request, the response, the path parameters, the caller
// and a service context acting as the caller.
struct ApiCall {
  const httplib::Request& req;
  httplib::Response& res;
  ApiServer& server;
  std::map<std::string, std::string> path;
  std::optional<service::Principal> who;
  service::ServiceContext ctx;

  // Writes `j` with `status`.
  void Json(const nlohmann::json& j, int status = 200);
  // Writes the error for `s` (its HTTP status and JSON body).
  void Fail(const Status& s);
  // Writes 403: the caller's role does not allow it.
  void Forbid(const std::string& message);
  // A query parameter, or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  // An integer query parameter in [min, max], or InvalidArgument naming it.
  Result<int64_t> QueryInt(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
};

struct ParamDoc {
  std::string name;
  std::string type;  // "string", "integer", "boolean"
  std::string description;
  bool required = false;
};

struct Route {
  Route(std::string method_, std::string path_, Access access_, std::string summary_, std::vector<ParamDoc> query_,
        std::vector<ParamDoc> body_, std::string produces_, std::function<void(ApiCall&)> handler_)
      : method(std::move(method_)),
        path(std::move(path_)),
        access(access_),
        summary(std::move(summary_)),
        query(std::move(query_)),
        body(std::move(body_)),
        produces(std::move(produces_)),
        handler(std::move(handler_)) {}

  std::string method;  // GET, POST, PUT, DELETE
  std::string path;    // "/api/v1/migrations/{migration}"; "{id+}" matches slashes too
  Access access = Access::kViewer;
  std::string summary;
  std::vector<ParamDoc> query;  // the query parameters it accepts (others are refused)
  std::vector<ParamDoc> body;   // the JSON body's fields (empty: no body)
  std::string produces = "application/json";
  std::function<void(ApiCall&)> handler;

  // Filled by the router.
  std::regex pattern;
  std::vector<std::string> path_params;
};

// Compiles a route's path template into its regex and parameter names.
void CompileRoute(Route* route);

// The OpenAPI 3.1 document of `routes`.
nlohmann::json OpenApiDocument(const std::vector<Route>& routes, const std::string& version);

}  // namespace gaggle::server
