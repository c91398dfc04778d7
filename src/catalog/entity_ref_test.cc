#include "catalog/entity_ref.h"

#include <gtest/gtest.h>

#include "catalog/entity.h"

namespace gaggle {
namespace {

TEST(EntityRefTest, ParsesEveryForm) {
  struct Case {
    std::string text;
    EntityRefDefaults defaults;
    std::string want;
  };
  const Case cases[] = {
      {"resource:default/events-raw", {"", "default"}, "resource:default/events-raw"},
      {"resource:events-raw", {"", "default"}, "resource:default/events-raw"},
      {"resource:events-raw", {"", "team"}, "resource:team/events-raw"},  // declaring entity's namespace
      {"component:team/x", {"", "default"}, "component:team/x"},
      {"Component:Team/CheckOut", {"", "default"}, "component:team/CheckOut"},
      {"  resource:a  ", {"", "default"}, "resource:default/a"},
      {"events-raw", {"resource", "default"}, "resource:default/events-raw"},
      {"ns/x", {"group", "default"}, "group:ns/x"},
  };
  for (const Case& c : cases) {
    auto ref = ParseEntityRef(c.text, c.defaults);
    ASSERT_TRUE(ref.ok()) << c.text << ": " << ref.status().ToString();
    EXPECT_EQ(ref->ToString(), c.want) << c.text;
  }
}

TEST(EntityRefTest, KeyIsCaseInsensitive) {
  auto a = ParseEntityRef("Resource:Default/Events", {});
  auto b = ParseEntityRef("resource:events", {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Key(), b->Key());
  EXPECT_EQ(a->name, "Events");
}

TEST(EntityRefTest, RejectsMalformedReferences) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"events-raw", "has no kind"},
      {":x", "empty kind"},
      {"resource:/x", "empty namespace"},
      {"resource:ns/", "empty name"},
      {"resource:a/b/c", "not of the form"},
      {"resource:a b", "whitespace"},
  };
  for (const auto& [text, why] : cases) {
    auto ref = ParseEntityRef(text, {});
    ASSERT_FALSE(ref.ok()) << text;
    EXPECT_NE(ref.status().message().find(why), std::string::npos) << text << ": " << ref.status().message();
  }
}

TEST(EntityRefTest, BackstageNames) {
  EXPECT_TRUE(IsValidBackstageName("events-raw"));
  EXPECT_TRUE(IsValidBackstageName("a.b_c-1"));
  EXPECT_FALSE(IsValidBackstageName(""));
  EXPECT_FALSE(IsValidBackstageName("-x"));
  EXPECT_FALSE(IsValidBackstageName("x."));
  EXPECT_FALSE(IsValidBackstageName("a b"));
  EXPECT_FALSE(IsValidBackstageName(std::string(64, 'a')));
}

TEST(EntityTest, IdsAndOwnersAndSizes) {
  EXPECT_EQ(MakeEntityId(EntityKind::kDataset, "default", "a"), "a");
  EXPECT_EQ(MakeEntityId(EntityKind::kDataset, "fin", "a"), "fin/a");
  EXPECT_EQ(MakeEntityId(EntityKind::kComponent, "default", "x"), "component:x");
  EXPECT_EQ(MakeEntityId(EntityKind::kSystem, "t", "x"), "system:t/x");
  EXPECT_EQ(CanonicalOwner("group:default/team-a"), "team-a");
  EXPECT_EQ(CanonicalOwner("group:team-a"), "team-a");
  EXPECT_EQ(CanonicalOwner("user:alice"), "user:alice");
  EXPECT_EQ(ParseByteSize("1234").ValueOr(-1), 1234);
  EXPECT_EQ(ParseByteSize("12GB").ValueOr(-1), 12000000000);
  EXPECT_EQ(ParseByteSize("1.5 KiB").ValueOr(-1), 1536);
  EXPECT_FALSE(ParseByteSize("lots").ok());
  EXPECT_FALSE(ParseByteSize("1.2.3GB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999PB").ok());
  EXPECT_FALSE(ParseTier("urgent").ok());
  EXPECT_EQ(ParseTier("LOW").ValueOr(Tier::kCritical), Tier::kLow);
}

TEST(EntityTest, ContentHashSeesEveryField) {
  Entity a;
  a.id = "x";
  a.uri = "file:///x";
  Entity b = a;
  EXPECT_EQ(EntityContentHash(a), EntityContentHash(b));
  b.labels["k"] = "v";
  EXPECT_NE(EntityContentHash(a), EntityContentHash(b));
  b = a;
  b.queries.push_back("SELECT 1");
  EXPECT_NE(EntityContentHash(a), EntityContentHash(b));
  b = a;
  b.tier = Tier::kLow;
  EXPECT_NE(EntityContentHash(a), EntityContentHash(b));
  // Field boundaries matter: ("ab", "") differs from ("a", "b").
  Entity c = a, d = a;
  c.title = "ab";
  d.title = "a";
  d.description = "b";
  EXPECT_NE(EntityContentHash(c), EntityContentHash(d));
}

}  // namespace
}  // namespace gaggle
