#include "service/token_operations.h"

#include <openssl/rand.h>

#include <cctype>

#include "common/digest.h"

namespace gaggle::service {
namespace {

constexpr const char* kSecretPrefix = "ggl_";
constexpr size_t kSecretHexDigits = 40;

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return Status::Internal("the system's random generator failed (OpenSSL RAND_bytes)");
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("token name must be 1 to 64 characters (got " + std::to_string(name.size()) + ")");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '@') {
      return Status::InvalidArgument("token name '" + name +
                                     "' has a character other than letters, digits, '.', '_', "
                                     "'-' and '@'");
    }
  }
  return Status::OK();
}

Status Audit(const ServiceContext& ctx, const std::string& what, const ApiToken& t) {
  Event e;
  e.actor = ctx.actor;
  e.from_state = "token";
  e.to_state = what;
  e.detail = nlohmann::json{{"token", t.id}, {"name", t.name}, {"role", RoleName(t.role)}}.dump();
  return ctx.store->AppendEvent(e).status();
}

}  // namespace

std::string TokenHash(const std::string& secret) { return Sha256Hex(secret); }

nlohmann::json TokenJson(const ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"role", RoleName(t.role)},
          {"created_at", t.created_at},
          {"created_by", t.created_by},
          {"revoked", t.revoked()},
          {"revoked_at", t.revoked_at},
          {"revoked_by", t.revoked_by}};
}

nlohmann::json CreatedToken::ToJson() const {
  nlohmann::json j = TokenJson(token);
  j["token"] = secret;
  return j;
}

Result<CreatedToken> CreateApiToken(const ServiceContext& ctx, const CreateTokenRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "creating a token"));
  GAGGLE_RETURN_IF_ERROR(CheckName(request.name));
  if (request.replace) {
    auto revoked = control->RevokeToken(request.name, NowIso8601(), ctx.actor);
    if (revoked.ok()) {
      GAGGLE_RETURN_IF_ERROR(Audit(ctx, "token-revoked", *revoked));
    } else if (revoked.status().code() != StatusCode::kNotFound) {
      return revoked.status();
    }
  }
  CreatedToken out;
  GAGGLE_ASSIGN_OR_RETURN(std::string secret_hex, RandomHex(kSecretHexDigits / 2));
  GAGGLE_ASSIGN_OR_RETURN(std::string id_hex, RandomHex(6));
  out.secret = kSecretPrefix + secret_hex;
  out.token.id = "tok_" + id_hex;
  out.token.name = request.name;
  out.token.role = request.role;
  out.token.hash = TokenHash(out.secret);
  out.token.created_at = NowIso8601();
  out.token.created_by = ctx.actor;
  GAGGLE_RETURN_IF_ERROR(control->InsertToken(out.token));
  GAGGLE_RETURN_IF_ERROR(Audit(ctx, "token-created", out.token));
  return out;
}

Result<std::vector<ApiToken>> ListApiTokens(const ServiceContext& ctx) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "listing tokens"));
  return control->ListTokens();
}

Result<ApiToken> RevokeApiToken(const ServiceContext& ctx, const std::string& id_or_name) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "revoking a token"));
  GAGGLE_ASSIGN_OR_RETURN(ApiToken t, control->RevokeToken(id_or_name, NowIso8601(), ctx.actor));
  GAGGLE_RETURN_IF_ERROR(Audit(ctx, "token-revoked", t));
  return t;
}

Result<std::optional<Principal>> Authenticate(const ServiceContext& ctx, const std::string& secret) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "authenticating"));
  // Only well-formed secrets reach the store.
  if (secret.size() != 4 + kSecretHexDigits || secret.compare(0, 4, kSecretPrefix) != 0) {
    return std::optional<Principal>();
  }
  for (size_t i = 4; i < secret.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(secret[i]))) return std::optional<Principal>();
  }
  GAGGLE_ASSIGN_OR_RETURN(std::optional<ApiToken> t, control->FindTokenByHash(TokenHash(secret)));
  if (!t || t->revoked()) return std::optional<Principal>();
  return std::optional<Principal>(Principal{t->name, t->role, t->id});
}

}  // namespace gaggle::service
