#include "common/location_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace gaggle {
namespace {

CanonicalLocation C(const std::string& s, const CanonicalizeOptions& o = {}) {
  auto c = Canonicalize(s, o);
  EXPECT_TRUE(c.ok()) << s << ": " << c.status().ToString();
  return c.ok() ? *c : CanonicalLocation{};
}

TEST(LocationIdentity, SpellingsOfOnePlaceAreTheSame) {
  const CanonicalLocation a = C("/x/lake/shared");
  for (const char* s : {"file:///x/lake/shared", "/x/lake/shared/", "/x//lake/./shared//", "/x/lake/a/../shared",
                        "file:///x/lake/shared/."}) {
    EXPECT_TRUE(SameLocation(a, C(s))) << s;
  }
  EXPECT_EQ(a.ToUri(), "file:///x/lake/shared");
  EXPECT_FALSE(SameLocation(a, C("/x/lake/shared2")));
  EXPECT_TRUE(SameLocation(C("s3://b/lake/a/"), C("s3://b/lake//a")));
  EXPECT_FALSE(SameLocation(C("s3://b/lake/a"), C("gs://b/lake/a")));
  EXPECT_FALSE(SameLocation(C("s3://b/lake/a"), C("s3://c/lake/a")));
  EXPECT_EQ(C("s3://b/lake/a/").ToUri(), "s3://b/lake/a");
}

TEST(LocationIdentity, NestingIsByComponentsNotByPrefix) {
  EXPECT_TRUE(IsInside(C("/lake/a/b"), C("/lake/a")));
  EXPECT_TRUE(IsInside(C("/lake/a/b/c"), C("file:///lake/a/")));
  EXPECT_FALSE(IsInside(C("/lake/ab"), C("/lake/a")));
  EXPECT_FALSE(IsInside(C("/lake/a"), C("/lake/a")));
  EXPECT_FALSE(IsInside(C("/lake/a"), C("/lake/a/b")));
  EXPECT_TRUE(IsInside(C("/anything"), C("/")));
  EXPECT_TRUE(Overlaps(C("/lake/a"), C("/lake/a/b")));
  EXPECT_TRUE(Overlaps(C("/lake/a/b"), C("/lake/a")));
  EXPECT_TRUE(Overlaps(C("/lake/a"), C("/lake/a/")));
  EXPECT_FALSE(Overlaps(C("/lake/a"), C("/lake/b")));
  EXPECT_TRUE(IsInside(C("s3://b/lake/a/p=1"), C("s3://b/lake/a")));
  EXPECT_FALSE(IsInside(C("s3://b/lake/a/p=1"), C("s3://c/lake/a")));
  EXPECT_FALSE(Overlaps(C("s3://b/lake/a"), C("/lake/a")));
}

TEST(LocationIdentity, RelativeLocationsNeedADeclaredBase) {
  auto rel = Canonicalize("lake/a");
  ASSERT_FALSE(rel.ok());
  EXPECT_EQ(rel.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rel.status().message().find("lake/a"), std::string::npos);
  CanonicalizeOptions o;
  o.cwd = "/work/x";
  EXPECT_EQ(C("lake/../lake/a", o).path, "/work/x/lake/a");
  for (const char* bad : {"", "file://lake/a", "hdfs://nn/lake", "s3://", "s3:///key"}) {
    EXPECT_FALSE(Canonicalize(bad).ok()) << bad;
  }
}

TEST(LocationIdentity, SymlinksResolveToTheirTargetWhenAsked) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gaggle-locid-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "real" / "a");
  fs::create_directory_symlink(dir / "real", dir / "link");
  CanonicalizeOptions resolve;
  resolve.symlinks = SymlinkPolicy::kResolveSymlinks;
  const std::string real = fs::canonical(dir / "real" / "a").string();
  EXPECT_EQ(C((dir / "link" / "a").string(), resolve).path, real);
  // A path that does not exist yet resolves through its existing parent.
  EXPECT_EQ(C((dir / "link" / "a" / "new" / "x").string(), resolve).path, real + "/new/x");
  EXPECT_FALSE(SameLocation(C((dir / "link" / "a").string()), C((dir / "real" / "a").string())));
  fs::remove_all(dir);
}

TEST(LocationIdentity, SystemLocationsAreRefused) {
  for (const char* bad : {"/", "/tmp", "/tmp/", "/home", "/home/alice", "/etc", "/usr", "/var", "file:///root",
                          "s3://bucket", "s3://bucket/"}) {
    EXPECT_FALSE(CheckNotSystemLocation(C(bad)).ok()) << bad;
  }
  EXPECT_FALSE(CheckNotSystemLocation(C("/proc")).ok());
  for (const char* ok : {"/tmp/lake/a", "/home/alice/lake", "/data/lake/a", "s3://bucket/lake"}) {
    EXPECT_TRUE(CheckNotSystemLocation(C(ok)).ok()) << ok;
  }
}

}  // namespace
}  // namespace gaggle
