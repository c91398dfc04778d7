#include "service/token_operations.h"

#include "service/control_plane_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ControlPlaneBackendTest;

using TokenOperationsTest = ControlPlaneBackendTest;

TEST_P(TokenOperationsTest, CreatedTokenAuthenticatesWithItsRoleAndOnlyItsHashIsStored) {
  auto t = CreateApiToken(ctx_, {"ci-bot", Role::kOperator, false});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->secret.rfind("ggl_", 0), 0u);
  EXPECT_EQ(t->secret.size(), 44u);
  auto who = Authenticate(ctx_, t->secret);
  ASSERT_TRUE(who.ok() && who->has_value());
  EXPECT_EQ((*who)->name, "ci-bot");
  EXPECT_EQ((*who)->role, Role::kOperator);
  // The store holds the hash, never the secret.
  auto listed = ListApiTokens(ctx_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].hash, TokenHash(t->secret));
  EXPECT_NE((*listed)[0].hash, t->secret);
  EXPECT_EQ(TokenJson((*listed)[0]).dump().find(t->secret), std::string::npos);
  EXPECT_EQ(TokenJson((*listed)[0]).dump().find((*listed)[0].hash), std::string::npos);
  // Creating is audited with who did it.
  Event e = LastEvent();
  EXPECT_EQ(e.to_state, "token-created");
  EXPECT_EQ(e.actor, "alice");
  EXPECT_NE(e.detail.find("ci-bot"), std::string::npos);
}

TEST_P(TokenOperationsTest, RevokedUnknownAndMalformedTokensDoNotAuthenticate) {
  auto t = CreateApiToken(ctx_, {"old", Role::kAdmin, false});
  ASSERT_TRUE(t.ok());
  for (const std::string& bad : {std::string(""), std::string("ggl_"), std::string("ggl_zz") + std::string(38, '0'),
                                 std::string("ggl_") + std::string(40, 'a'), t->secret + "0"}) {
    auto who = Authenticate(ctx_, bad);
    ASSERT_TRUE(who.ok()) << bad;
    EXPECT_FALSE(who->has_value()) << bad;
  }
  auto revoked = RevokeApiToken(ctx_, "old");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_TRUE(revoked->revoked());
  auto who = Authenticate(ctx_, t->secret);
  ASSERT_TRUE(who.ok());
  EXPECT_FALSE(who->has_value());
  EXPECT_EQ(LastEvent().to_state, "token-revoked");
  // Revoking again finds no valid token.
  EXPECT_EQ(RevokeApiToken(ctx_, "old").status().code(), StatusCode::kNotFound);
}

TEST_P(TokenOperationsTest, NamesAreUniqueAmongValidTokensAndChecked) {
  ASSERT_TRUE(CreateApiToken(ctx_, {"ops", Role::kViewer, false}).ok());
  EXPECT_EQ(CreateApiToken(ctx_, {"ops", Role::kViewer, false}).status().code(), StatusCode::kAlreadyExists);
  // replace revokes the old one first (the demo token).
  auto again = CreateApiToken(ctx_, {"ops", Role::kAdmin, true});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto listed = ListApiTokens(ctx_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  // Both may carry the same creation time (one clock tick), so their order is not asserted.
  const auto& revoked = (*listed)[0].revoked() ? (*listed)[0] : (*listed)[1];
  const auto& valid = (*listed)[0].revoked() ? (*listed)[1] : (*listed)[0];
  EXPECT_TRUE(revoked.revoked());
  EXPECT_EQ(revoked.role, Role::kViewer);
  EXPECT_FALSE(valid.revoked());
  EXPECT_EQ(valid.role, Role::kAdmin);
  EXPECT_EQ(CreateApiToken(ctx_, {"", Role::kViewer, false}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateApiToken(ctx_, {"a b", Role::kViewer, false}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateApiToken(ctx_, {std::string(65, 'x'), Role::kViewer, false}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(TokenOperationsTest, RolesIncludeTheOnesBelow) {
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kOperator));
  EXPECT_TRUE(RoleAllows(Role::kOperator, Role::kViewer));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kOperator, Role::kAdmin));
  EXPECT_EQ(ParseRole("root").status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_CONTROL_PLANE_SUITE(TokenOperationsTest);

}  // namespace
}  // namespace gaggle::service
