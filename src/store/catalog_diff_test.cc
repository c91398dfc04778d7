// The catalog diff alone: which entities a re-import adds, updates and removes, and
// which edges, against stored digests made by hand.
#include "store/catalog_diff.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

Entity Make(const std::string& id, const std::string& owner = "team") {
  Entity e;
  e.kind = EntityKind::kDataset;
  e.id = e.name = id;
  e.uri = "file:///lake/" + id;
  e.format = "avro";
  e.owner = owner;
  return e;
}

Catalog Build(std::vector<Entity> entities, std::vector<std::pair<std::string, std::string>> edges) {
  Catalog c;
  for (Entity& e : entities) c.AddEntity(std::move(e));
  for (auto& [u, d] : edges) c.AddEdge(u, d);
  EXPECT_TRUE(c.Finalize().ok());
  return c;
}

std::vector<std::string> IdsOf(const Catalog& c, const std::vector<NodeId>& nodes) {
  std::vector<std::string> out;
  for (NodeId n : nodes) out.push_back(c.entity(n).id);
  return out;
}

TEST(CatalogDiff, MergesTheCatalogWithTheStoredDigests) {
  const Catalog c = Build({Make("a"), Make("b", "new-owner"), Make("d"), Make("f")}, {});
  CatalogDiffer differ(c);
  // Stored: a unchanged, b changed, c and e gone; d and f are new.
  differ.Add({11, "a", EntityContentHash(Make("a"))});
  differ.Add({12, "b", EntityContentHash(Make("b"))});
  differ.Add({13, "c", 1});
  differ.Add({14, "e", 2});
  auto diff = std::move(differ).Finish();
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_EQ(IdsOf(c, diff->added), (std::vector<std::string>{"d", "f"}));
  EXPECT_EQ(IdsOf(c, diff->updated), std::vector<std::string>{"b"});
  ASSERT_EQ(diff->removed.size(), 2u);
  EXPECT_EQ(diff->removed[0], (std::pair<int64_t, std::string>{13, "c"}));
  EXPECT_EQ(diff->removed[1], (std::pair<int64_t, std::string>{14, "e"}));
  EXPECT_EQ(diff->key_of, (std::vector<int64_t>{11, 12, 0, 0}));
}

TEST(CatalogDiff, AnEmptyStoreAddsEverythingAndAnEmptyCatalogRemovesEverything) {
  const Catalog c = Build({Make("a"), Make("b")}, {});
  auto all_new = CatalogDiffer(c);
  auto added = std::move(all_new).Finish();
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->added.size(), 2u);
  const Catalog empty = Build({}, {});
  CatalogDiffer differ(empty);
  differ.Add({1, "a", 0});
  differ.Add({2, "b", 0});
  auto removed = std::move(differ).Finish();
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->added.empty());
  EXPECT_EQ(removed->removed.size(), 2u);
}

TEST(CatalogDiff, IdsOutOfOrderAreABackendBug) {
  const Catalog c = Build({Make("a"), Make("b")}, {});
  CatalogDiffer differ(c);
  differ.Add({1, "b", 0});
  differ.Add({2, "a", 0});
  auto diff = std::move(differ).Finish();
  ASSERT_FALSE(diff.ok());
  EXPECT_EQ(diff.status().code(), StatusCode::kInternal);
  EXPECT_NE(diff.status().message().find("increasing id order"), std::string::npos);
  CatalogDiffer twice(c);
  twice.Add({1, "a", 0});
  twice.Add({2, "a", 0});
  EXPECT_FALSE(std::move(twice).Finish().ok());
}

TEST(CatalogDiff, EdgesAreDiffedAsKeyPairs) {
  const Catalog c = Build({Make("a"), Make("b"), Make("c")}, {{"a", "b"}, {"b", "c"}});
  const std::vector<int64_t> keys = {5, 6, 7};
  // Stored: a->b (kept), a->c (gone), and an edge of a removed entity (9->6).
  EdgeDiff d = DiffEdges(c, keys, {{9, 6}, {5, 7}, {5, 6}});
  EXPECT_EQ(d.added, (std::vector<std::pair<int64_t, int64_t>>{{6, 7}}));
  EXPECT_EQ(d.removed, (std::vector<std::pair<int64_t, int64_t>>{{5, 7}, {9, 6}}));
  EdgeDiff same = DiffEdges(c, keys, {{5, 6}, {6, 7}});
  EXPECT_TRUE(same.added.empty());
  EXPECT_TRUE(same.removed.empty());
}

}  // namespace
}  // namespace gaggle
