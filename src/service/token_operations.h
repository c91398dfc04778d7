// Who may use the HTTP API: bearer tokens with a role (viewer < operator < admin).
// `gaggle token create` and the API's token endpoints create, list and revoke them;
// the server authenticates every request with Authenticate.
//  - A token's secret ("ggl_" + 40 hex digits, 160 random bits) is returned once, at
//    creation; only its SHA-256 is stored, so a stolen state file yields no token.
//  - A revoked token never authenticates again. Names are unique among valid tokens.
//  - Creating and revoking a token are audited in the event log (actor: who did it).
// Thread-safety: see service_context.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/service_context.h"
#include "store/control_records.h"

namespace gaggle::service {

// An authenticated caller: the token's name (the actor of its changes) and role.
struct Principal {
  std::string name;
  Role role = Role::kViewer;
  std::string token_id;
};

// True when a caller with `have` may do what needs `need`.
inline bool RoleAllows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

struct CreateTokenRequest {
  std::string name;  // 1-64 characters: letters, digits, '.', '_', '-', '@'
  Role role = Role::kViewer;
  bool replace = false;  // revoke a valid token of the same name first (the demo token)
};

struct CreatedToken {
  ApiToken token;
  std::string secret;             // shown once
  nlohmann::json ToJson() const;  // with the secret
};

Result<CreatedToken> CreateApiToken(const ServiceContext& ctx, const CreateTokenRequest& request);

// Every token (revoked ones too), oldest first; never a secret or a hash.
Result<std::vector<ApiToken>> ListApiTokens(const ServiceContext& ctx);
nlohmann::json TokenJson(const ApiToken& t);

Result<ApiToken> RevokeApiToken(const ServiceContext& ctx, const std::string& id_or_name);

// The valid token whose secret is `secret`, or nullopt (unknown, malformed or revoked).
Result<std::optional<Principal>> Authenticate(const ServiceContext& ctx, const std::string& secret);

// The token's secret hash as stored (SHA-256 hex).
std::string TokenHash(const std::string& secret);

}  // namespace gaggle::service
