// Catalog operations over a real state store: entity names compare case-insensitively
// in show, graph and list --match, and re-importing a tree through another path spelling
// changes nothing.
#include "service/catalog_operations.h"

#include <gtest/gtest.h>

#include <fstream>

#include "service/service_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ServiceTest;

class CatalogOperationsTest : public ServiceTest {
 protected:
  // A small tree: one dataset and its consumer, under dir_/tree.
  std::string WriteTree() {
    const std::filesystem::path tree = dir_ / "tree" / "team";
    std::filesystem::create_directories(tree);
    std::ofstream(tree / "catalog-info.yaml")
        << "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: Events.Raw\n  annotations:\n"
           "    gaggle.dev/uri: file:///lake/events/\n    gaggle.dev/format: avro\nspec: {type: dataset, owner: a}\n"
           "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: Checkout}\n"
           "spec: {type: service, owner: a, lifecycle: production, dependsOn: [resource:events.raw]}\n";
    return (dir_ / "tree").string();
  }
};

TEST_F(CatalogOperationsTest, ShowAndListMatchNamesCaseInsensitively) {
  ASSERT_TRUE(ImportCatalog(ctx_, {WriteTree()}).ok());
  for (const char* id : {"Events.Raw", "events.raw", "EVENTS.RAW"}) {
    auto shown = ShowEntity(ctx_, id);
    ASSERT_TRUE(shown.ok()) << id << ": " << shown.status().ToString();
    EXPECT_EQ(shown->entity.id, "Events.Raw");
    ASSERT_EQ(shown->downstream.size(), 1u) << id;
    EXPECT_EQ(shown->downstream[0].id, "component:Checkout");
  }
  EXPECT_FALSE(ShowEntity(ctx_, "events.ra").ok());
  auto graph = GetLineage(ctx_, {"COMPONENT:checkout", 1, "up"});
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  EXPECT_EQ(graph->root, "component:Checkout");
  ASSERT_EQ(graph->edges.size(), 1u);
  EXPECT_EQ(graph->edges[0], std::make_pair(std::string("Events.Raw"), std::string("component:Checkout")));
  for (const char* glob : {"events.*", "EVENTS.*", "*checkout", "COMPONENT:*"}) {
    std::vector<std::string> ids;
    EntityFilter filter;
    filter.match = glob;
    ASSERT_TRUE(ForEachEntity(ctx_, filter, [&](const Entity& e) {
                  ids.push_back(e.id);
                  return true;
                }).ok());
    EXPECT_EQ(ids.size(), 1u) << glob;
  }
}

TEST_F(CatalogOperationsTest, ReimportingThroughAnotherPathSpellingChangesNothing) {
  const std::string tree = WriteTree();
  auto first = ImportCatalog(ctx_, {tree});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->changes.added.size(), 2u);
  const std::string rel = std::filesystem::relative(tree, std::filesystem::current_path()).string();
  for (const std::string& spelling : {rel, "./" + rel + "/", tree + "/", tree + "/team/../"}) {
    auto again = ImportCatalog(ctx_, {spelling});
    ASSERT_TRUE(again.ok()) << spelling << ": " << again.status().ToString();
    EXPECT_FALSE(again->changes.changed()) << spelling << ": updated " << again->changes.updated.size();
  }
}

}  // namespace
}  // namespace gaggle::service
