// Real Backstage catalogs: kinds that are not datasets, Locations followed inside a
// boundary, relations kept as context, path spellings, and the export -> import ->
// export round trip compared byte for byte (testdata/backstage_shapes reproduces the
// shapes of Backstage's own catalog-info.yaml files).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "catalog/annotations.h"
#include "catalog/backstage_export.h"
#include "catalog/catalog_loader.h"
#include "common/source_dir_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

std::string ShapesDir() { return gaggle::testing::SourceRoot() + "/src/catalog/testdata/backstage_shapes/input"; }

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

class BackstageCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-bs-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  const Entity* Find(const Catalog& c, const std::string& id) {
    auto n = c.Find(id);
    return n ? &c.entity(*n) : nullptr;
  }

  // Every file of an export directory, by name.
  std::map<std::string, std::string> Files(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& f : fs::directory_iterator(dir)) out[f.path().filename().string()] = ReadText(f.path());
    return out;
  }

  fs::path dir_;
};

constexpr const char* kApi = "apiVersion: backstage.io/v1alpha1\n";

TEST_F(BackstageCatalogTest, KindsThatAreNotDatasetsNeverFailTheImport) {
  // A file named explicitly (strict), as a new user imports Backstage's examples.
  WriteText(
      dir_ / "entities.yaml",
      std::string(kApi) +
          "kind: Resource\nmetadata: {name: artist-db}\nspec: {type: database, owner: team-a, system: "
          "artist-engagement-portal}\n---\n" +
          kApi + "kind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\n" + kApi +
          "kind: User\nmetadata: {name: guest}\nspec: {memberOf: [team-a]}\n---\n" + kApi +
          "kind: System\nmetadata: {name: artist-engagement-portal}\nspec: {owner: team-a}\n---\n" + kApi +
          "kind: API\nmetadata: {name: wayback-api}\nspec: {type: openapi, lifecycle: x, owner: team-a, "
          "definition: x}\n---\n"
          "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: example-nodejs-template}\n"
          "spec: {owner: team-a, type: service, steps: []}\n---\n" +
          kApi +
          "kind: Component\nmetadata: {name: artist-web}\nspec: {type: website, lifecycle: production, owner: "
          "team-a, system: artist-engagement-portal, dependsOn: [resource:artist-db, "
          "template:example-nodejs-template], providesApis: [wayback-api]}\n");
  auto loaded = LoadCatalogFromPath((dir_ / "entities.yaml").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Catalog& c = loaded->catalog;
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.num_datasets(), 0u);
  const Entity* db = Find(c, "resource:artist-db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->type, "database");
  EXPECT_EQ(db->owner, "team-a");
  EXPECT_EQ(db->annotations.at(std::string(annotations::kContextSystem)), "artist-engagement-portal");
  const Entity* web = Find(c, "component:artist-web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->annotations.at(std::string(annotations::kContextDependsOn)), "template:example-nodejs-template");
  ASSERT_EQ(c.Upstream(*c.Find("component:artist-web")).size(), 1u);  // the database: a consumer edge
  const std::string notes = JoinLines(loaded->notes);
  EXPECT_TRUE(Contains(notes,
                       "1 Resource of type database, table or dataset without a gaggle.dev/* dataset "
                       "annotation (artist-db): kept as lineage resources, not migrated"))
      << notes;
  for (const char* kind : {"Group entity (team-a)", "User entity (guest)", "API entity (wayback-api)",
                           "Template entity (example-nodejs-template)"}) {
    EXPECT_TRUE(Contains(notes, std::string("skipped 1 ") + kind)) << notes;
  }
}

TEST_F(BackstageCatalogTest, AHalfAnnotatedDatasetIsStillAProblem) {
  WriteText(dir_ / "c.yaml", std::string(kApi) +
                                 "kind: Resource\nmetadata:\n  name: a\n  annotations: {gaggle.dev/tier: low}\n"
                                 "spec: {type: dataset}\n");
  auto loaded = LoadCatalogFromPath((dir_ / "c.yaml").string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(Contains(loaded.status().message(), "a: dataset has no 'gaggle.dev/uri'")) << loaded.status().message();
}

TEST_F(BackstageCatalogTest, LocationsAreFollowedOnceEachWithRelativeTargetsAndGlobs) {
  WriteText(dir_ / "tree/all.yaml", std::string(kApi) +
                                        "kind: Location\nmetadata: {name: all}\nspec:\n  targets: [./teams/*.yaml, "
                                        "./more/index.yaml]\n");
  WriteText(dir_ / "tree/teams/a.yaml", std::string(kApi) + "kind: System\nmetadata: {name: sa}\nspec: {owner: a}\n");
  WriteText(dir_ / "tree/teams/b.yaml", std::string(kApi) + "kind: System\nmetadata: {name: sb}\nspec: {owner: b}\n");
  // A cycle: more/index.yaml names all.yaml again, and itself.
  WriteText(dir_ / "tree/more/index.yaml",
            std::string(kApi) +
                "kind: Location\nmetadata: {name: more}\nspec:\n  type: file\n  targets: [../all.yaml, "
                "index.yaml, ./c.yaml]\n");
  WriteText(dir_ / "tree/more/c.yaml", std::string(kApi) + "kind: System\nmetadata: {name: sc}\nspec: {owner: c}\n");
  auto loaded = LoadCatalogFromPath((dir_ / "tree/all.yaml").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->catalog.size(), 3u);
  EXPECT_EQ(loaded->files.size(), 5u);
  for (const char* id : {"system:sa", "system:sb", "system:sc"}) EXPECT_NE(Find(loaded->catalog, id), nullptr) << id;
}

TEST_F(BackstageCatalogTest, ALocationMayNotLeaveTheTreeUnlessAllowed) {
  WriteText(dir_ / "outside.yaml", std::string(kApi) + "kind: System\nmetadata: {name: far}\nspec: {owner: x}\n");
  WriteText(dir_ / "tree/catalog-info.yaml",
            std::string(kApi) + "kind: Location\nmetadata: {name: escape}\nspec: {target: ../outside.yaml}\n");
  const std::string file = (dir_ / "tree/catalog-info.yaml").string();
  auto refused = LoadCatalogFromPath(file);
  ASSERT_FALSE(refused.ok());
  const std::string& m = refused.status().message();
  EXPECT_TRUE(Contains(m, file + ":4:")) << m;
  EXPECT_TRUE(Contains(m, "location:default/escape: target '../outside.yaml' resolves to " +
                              (dir_ / "outside.yaml").string() + ", outside the imported tree " +
                              (dir_ / "tree").string()))
      << m;
  EXPECT_TRUE(Contains(m, "--allow-outside-tree")) << m;
  auto allowed = LoadCatalogFromPath(file, FileSystem::Default(), LoadOptions{true});
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_NE(Find(allowed->catalog, "system:far"), nullptr);
}

TEST_F(BackstageCatalogTest, AMissingTargetNamesTheLocationAndTheTarget) {
  WriteText(dir_ / "all.yaml", std::string(kApi) +
                                   "kind: Location\nmetadata: {name: examples}\nspec:\n  targets: [./gone.yaml, "
                                   "https://example.com/catalog-info.yaml]\n");
  auto loaded = LoadCatalogFromPath((dir_ / "all.yaml").string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(Contains(loaded.status().message(), "location:default/examples: target './gone.yaml' (resolved to " +
                                                      (dir_ / "gone.yaml").string() + ")"))
      << loaded.status().message();
  EXPECT_FALSE(Contains(loaded.status().message(), "https://")) << "a URL is a note, not a problem";
}

TEST_F(BackstageCatalogTest, TheBackstageShapesImportWithTheirRelations) {
  auto loaded = LoadCatalogFromPath(ShapesDir() + "/all.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Catalog& c = loaded->catalog;
  const Entity* backend = Find(c, "component:backend");
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->annotations.at(std::string(annotations::kContextSystem)), "storefront");
  EXPECT_EQ(backend->annotations.at(std::string(annotations::kContextProvidesApis)), "api:backend-api");
  EXPECT_EQ(backend->annotations.at(std::string(annotations::kContextDependsOn)),
            "template:default/create-service\ngroup:team-a");
  ASSERT_EQ(backend->queries.size(), 2u);  // TPC-H q01 is one query, comments and all
  EXPECT_TRUE(Contains(backend->queries[0], "-- TPC-H Q1")) << backend->queries[0];
  EXPECT_TRUE(Contains(backend->queries[0], "l_linestatus -- ordered for the report")) << backend->queries[0];
  const Entity* app = Find(c, "component:app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->annotations.at(std::string(annotations::kContextTags)), "frontend\ntypescript");
  EXPECT_EQ(app->annotations.at(std::string(annotations::kContextLinks)),
            R"({"icon":"dashboard","title":"Storefront","url":"https://example.com/app"})");
  const Entity* events = Find(c, "Order-Events");
  ASSERT_NE(events, nullptr);
  EXPECT_TRUE(events->is_dataset());
  EXPECT_EQ(events->labels.at("team name"), "Data Platform");
}

TEST_F(BackstageCatalogTest, ExportThenImportThenExportIsByteStable) {
  auto first = LoadCatalogFromPath(ShapesDir());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::vector<MigrationTarget> targets = {{"Order-Events", "m1", "h1", "2026-01-01T00:00:00Z", "builtin:transform",
                                           "1.0", "file:///v2/Order-Events/", "parquet", 2, 0, 0}};
  ASSERT_TRUE(ExportBackstage(first->catalog, targets, (dir_ / "a").string()).ok());
  // Import the export through its catalog-info.yaml Location, as Backstage would.
  auto second = LoadCatalogFromPath((dir_ / "a/catalog-info.yaml").string());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->catalog.size(), first->catalog.size());
  for (NodeId n = 0; n < first->catalog.size(); ++n) {
    Entity want = first->catalog.entity(n), got = second->catalog.entity(n);
    want.source = got.source = "";
    SCOPED_TRACE(want.id);
    EXPECT_EQ(got.queries, want.queries);
    EXPECT_EQ(got.annotations, want.annotations);
    EXPECT_EQ(got.labels, want.labels);
  }
  EXPECT_EQ(second->catalog.edges(), first->catalog.edges());
  ASSERT_TRUE(ExportBackstage(second->catalog, targets, (dir_ / "b").string()).ok());
  const auto a = Files(dir_ / "a"), b = Files(dir_ / "b");
  ASSERT_EQ(a.size(), 4u);
  for (const auto& [name, text] : a) EXPECT_EQ(b.at(name), text) << name;
  // Relations travel as Backstage fields, and the label Backstage cannot hold as an annotation.
  const std::string& consumers = a.at("consumers.yaml");
  for (const char* want : {"system: storefront", "providesApis:", "consumesApis:", "- api:backend-api",
                           "- template:default/create-service", "tags:", "- frontend",
                           "links:", "url: https://example.com/app", "domain: commerce"}) {
    EXPECT_TRUE(Contains(consumers, want)) << want << "\n" << consumers;
  }
  EXPECT_FALSE(Contains(consumers, "\"@")) << consumers;
  EXPECT_FALSE(Contains(consumers, "@spec")) << consumers;
  EXPECT_TRUE(Contains(a.at("datasets.yaml"), R"(gaggle.dev/labels: "{\"team name\":\"Data Platform\"}")"))
      << a.at("datasets.yaml");
  EXPECT_TRUE(Contains(a.at("datasets.yaml"), "    domain: orders\n")) << a.at("datasets.yaml");
}

TEST_F(BackstageCatalogTest, PathSpellingsGiveTheSameEntities) {
  auto absolute = LoadCatalogFromPath(ShapesDir());
  ASSERT_TRUE(absolute.ok()) << absolute.status().ToString();
  const std::string rel = fs::relative(ShapesDir(), fs::current_path()).string();
  for (const std::string& spelling : {rel, rel + "/", "./" + rel + "/", ShapesDir() + "/./"}) {
    SCOPED_TRACE(spelling);
    auto other = LoadCatalogFromPath(spelling);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_EQ(other->catalog.size(), absolute->catalog.size());
    for (NodeId n = 0; n < other->catalog.size(); ++n) {
      EXPECT_EQ(EntityContentHash(other->catalog.entity(n)), EntityContentHash(absolute->catalog.entity(n)))
          << other->catalog.entity(n).id << " from " << other->catalog.entity(n).source;
    }
  }
}

TEST_F(BackstageCatalogTest, InlineQueriesKeepTheOldOnePerLineForm) {
  WriteText(dir_ / "c.yaml", std::string(kApi) +
                                 "kind: Component\nmetadata:\n  name: c\n  annotations:\n    gaggle.dev/queries: |\n"
                                 "      SELECT 1\n      SELECT 2 FROM t\n");
  auto loaded = LoadCatalogFromPath((dir_ / "c.yaml").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->catalog.entity(0).queries, (std::vector<std::string>{"SELECT 1", "SELECT 2 FROM t"}));
}

}  // namespace
}  // namespace gaggle
