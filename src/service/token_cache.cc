#include "service/token_cache.h"

namespace gaggle::service {

Result<std::optional<Principal>> TokenCache::Authenticate(const ServiceContext& ctx, const std::string& secret) {
  const std::string hash = TokenHash(secret);
  uint64_t generation = 0;
  {
    MutexLock lock(&mu_);
    generation = generation_;
    auto it = entries_.find(hash);
    if (it != entries_.end()) {
      if (options_.clock->MonotonicMicros() < it->second.expires_us) return std::optional<Principal>(it->second.who);
      entries_.erase(it);
    }
  }
  // Not under the lock: other requests' hits need not wait for this read.
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Principal> who, service::Authenticate(ctx, secret));
  if (!who) return who;
  const int64_t now = options_.clock->MonotonicMicros();
  MutexLock lock(&mu_);
  // A Clear while the store was read (a revocation) may have made `who` stale: not kept.
  if (generation != generation_) return who;
  if (entries_.size() >= options_.capacity) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now >= it->second.expires_us ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= options_.capacity) entries_.clear();
  }
  if (options_.capacity > 0) entries_[hash] = Entry{*who, now + options_.ttl_ms * 1000};
  return who;
}

void TokenCache::Clear() {
  MutexLock lock(&mu_);
  entries_.clear();
  ++generation_;
}

size_t TokenCache::size() {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace gaggle::service
