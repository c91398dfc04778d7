// TokenCache: a valid token is answered from memory until its entry expires; a token
// revoked behind the cache stops working within the TTL, at once after Clear; unknown
// and malformed tokens are never kept; the entries stay within the capacity.
#include "service/token_cache.h"

#include "common/clock.h"
#include "service/control_plane_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ControlPlaneBackendTest;
using std::chrono::milliseconds;

class TokenCacheTest : public ControlPlaneBackendTest {
 protected:
  TokenCache::Options CacheOptions(size_t capacity = 1024) {
    TokenCache::Options o;
    o.ttl_ms = 1000;
    o.capacity = capacity;
    o.clock = &cache_clock_;
    return o;
  }
  std::string Create(const std::string& name, Role role = Role::kViewer) {
    auto t = CreateApiToken(ctx_, {name, role, false});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->secret : "";
  }
  // The caller's name, "" when the token does not authenticate.
  std::string Who(TokenCache& cache, const std::string& secret) {
    auto who = cache.Authenticate(ctx_, secret);
    EXPECT_TRUE(who.ok()) << who.status().ToString();
    return who.ok() && who->has_value() ? (*who)->name : "";
  }

  FakeClock cache_clock_;
};

TEST_P(TokenCacheTest, ARevocationBehindTheCacheTakesEffectWithinTheTtl) {
  TokenCache cache(CacheOptions());
  const std::string secret = Create("ci", Role::kOperator);
  auto first = cache.Authenticate(ctx_, secret);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->role, Role::kOperator);
  // Revoked in the store, as another process would: the entry still answers...
  ASSERT_TRUE(RevokeApiToken(ctx_, "ci").ok());
  ASSERT_FALSE(Authenticate(ctx_, secret)->has_value());
  cache_clock_.Advance(milliseconds(999));
  EXPECT_EQ(Who(cache, secret), "ci");
  // ...until it expires; then the store says revoked, and nothing is kept.
  cache_clock_.Advance(milliseconds(1));
  EXPECT_EQ(Who(cache, secret), "");
  EXPECT_EQ(cache.size(), 0u);
}

TEST_P(TokenCacheTest, ClearMakesARevocationImmediate) {
  TokenCache cache(CacheOptions());
  const std::string secret = Create("ops");
  EXPECT_EQ(Who(cache, secret), "ops");
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(RevokeApiToken(ctx_, "ops").ok());
  cache.Clear();
  EXPECT_EQ(Who(cache, secret), "");
}

TEST_P(TokenCacheTest, UnknownAndMalformedTokensAreNeverKept) {
  TokenCache cache(CacheOptions());
  const std::string unknown = "ggl_" + std::string(40, 'a');
  for (const std::string& bad : {std::string(""), std::string("ggl_zz"), std::string("Bearer x"), unknown}) {
    EXPECT_EQ(Who(cache, bad), "") << bad;
  }
  EXPECT_EQ(cache.size(), 0u);
  // A token created after a failed attempt works at once.
  const std::string secret = Create("new");
  EXPECT_EQ(Who(cache, secret), "new");
}

TEST_P(TokenCacheTest, EntriesStayWithinTheCapacity) {
  TokenCache cache(CacheOptions(/*capacity=*/2));
  const std::string a = Create("a"), b = Create("b"), c = Create("c");
  EXPECT_EQ(Who(cache, a), "a");
  EXPECT_EQ(Who(cache, b), "b");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(Who(cache, c), "c");  // full of fresh entries: all dropped, then c kept
  EXPECT_LE(cache.size(), 2u);
  cache_clock_.Advance(milliseconds(1500));
  EXPECT_EQ(Who(cache, a), "a");  // the expired ones make room
  EXPECT_EQ(Who(cache, b), "b");
  EXPECT_LE(cache.size(), 2u);
}

INSTANTIATE_CONTROL_PLANE_SUITE(TokenCacheTest);

}  // namespace
}  // namespace gaggle::service
