// TokenCache: Authenticate (service/token_operations.h) with the principals of recently
// seen valid tokens kept in memory, so `gaggle serve` does not read the store for every
// request of a client that sends the same bearer token again and again.
//  - Entries are keyed by the token's hash (never the secret) and live `ttl_ms`
//    (1 s by default), then the store is asked again.
//  - Revocation: a token revoked through the server that owns the cache takes effect at
//    once (the server calls Clear); one revoked by another process (`gaggle token
//    revoke` on the same state) stops authenticating within `ttl_ms`.
//  - Only valid tokens are kept: an unknown, malformed or revoked token is looked up on
//    every request, so a token created meanwhile works at once and guessed secrets fill
//    nothing. At most `capacity` entries: when full, the expired ones are dropped, then
//    all of them.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"
#include "service/token_operations.h"

namespace gaggle::service {

class TokenCache {
 public:
  struct Options {
    int64_t ttl_ms = 1000;
    size_t capacity = 1024;
    Clock* clock = Clock::System();  // its monotonic time ages the entries
  };

  TokenCache() : TokenCache(Options{}) {}
  explicit TokenCache(Options options) : options_(options) {}

  // As service::Authenticate, answered from the cache while the token's entry is fresh.
  Result<std::optional<Principal>> Authenticate(const ServiceContext& ctx, const std::string& secret) EXCLUDES(mu_);
  // Forgets every entry (after a token was revoked through this process).
  void Clear() EXCLUDES(mu_);
  size_t size() EXCLUDES(mu_);

 private:
  struct Entry {
    Principal who;
    int64_t expires_us = 0;  // Clock::MonotonicMicros
  };
  const Options options_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);  // by token hash
  uint64_t generation_ GUARDED_BY(mu_) = 0;                         // bumped by Clear
};

}  // namespace gaggle::service
