#include "store/postgres_url.h"

#include <vector>

namespace gaggle {

bool IsPostgresUrl(std::string_view location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

namespace {

// The query `query` (without '?') minus every "password=..." parameter.
std::string WithoutPasswordParameter(std::string_view query) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view param = query.substr(start, end - start);
    if (!param.empty() && param.rfind("password=", 0) != 0 && param != "password") {
      if (!out.empty()) out += '&';
      out += param;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string RedactPostgresUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority_start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  std::string out(url.substr(0, authority_start));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    out += userinfo.substr(0, userinfo.find(':'));
    out += authority.substr(at);
  } else {
    out += authority;
  }
  std::string_view rest = url.substr(authority_end);
  const size_t question = rest.find('?');
  if (question == std::string_view::npos) return out + std::string(rest);
  out += rest.substr(0, question);
  size_t query_end = rest.find('#', question);
  if (query_end == std::string_view::npos) query_end = rest.size();
  const std::string query = WithoutPasswordParameter(rest.substr(question + 1, query_end - question - 1));
  if (!query.empty()) out += "?" + query;
  out += rest.substr(query_end);
  return out;
}

std::string ScrubPostgresPasswords(std::string message, std::string_view url) {
  std::vector<std::string> secrets;
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const size_t start = scheme_end + 3;
    size_t end = url.find_first_of("/?#", start);
    if (end == std::string_view::npos) end = url.size();
    const std::string_view authority = url.substr(start, end - start);
    const size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) secrets.emplace_back(userinfo.substr(colon + 1));
    }
  }
  for (size_t p = url.find("password="); p != std::string_view::npos; p = url.find("password=", p + 1)) {
    const size_t start = p + 9;
    const size_t end = url.find_first_of("&#", start);
    secrets.emplace_back(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  }
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t p = message.find(secret); p != std::string::npos; p = message.find(secret, p + 3)) {
      message.replace(p, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace gaggle
