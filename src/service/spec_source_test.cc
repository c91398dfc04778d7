// A migration created with its artefacts in object storage (s3rver), as the API creates
// it on one host, is found by another host with a spool of its own: the run record names
// the spec's object, and planning, starting, a retried create and the archive read it
// from there after the first host's spool is gone.
#include "service/spec_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "audit/audit_collector.h"
#include "service/catalog_operations.h"
#include "service/migration_operations.h"
#include "service/plan_operations.h"
#include "service/service_test_util.h"
#include "storage/file_system_resolver.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSpec =
    "name: orders-v2\n"
    "version: 2\n"
    "select: {ids: [sales.orders]}\n"
    "target: {format: parquet, uri: \"file:///v2/{id}/\"}\n";

class SpecSourceTest : public service_test::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    auto server = s3test::StartS3Server("s3rver", (dir_ / "server").string());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    resolver_ = s3test::ResolverFor(*server_, dir_.string());
    auto store = resolver_->ObjectStore("s3");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    object_store_ = *store;
    ASSERT_TRUE(object_store_->client()->CreateBucket("artefacts").ok());
    std::ofstream(dir_ / "catalog.yaml") << "gaggle_catalog: 1\ndatasets:\n  - id: sales.orders\n"
                                            "    uri: file:///lake/orders.avro\n    format: avro\n";
    ASSERT_TRUE(ImportCatalog(ctx_, CatalogImportRequest{(dir_ / "catalog.yaml").string()}).ok());
  }
  void TearDown() override {
    for (auto& m : mirrors_) (void)m->RemoveSpool();
    mirrors_.clear();
    resolver_.reset();
    server_.reset();
    ServiceTest::TearDown();
  }

  // The context of one host: the shared store, a spool of its own on the shared prefix.
  ServiceContext Host() {
    auto spool = ArtifactMirror::MakeSpoolDirectory();
    EXPECT_TRUE(spool.ok());
    mirrors_.push_back(std::make_unique<ArtifactMirror>(kRemote, object_store_, *spool));
    ServiceContext ctx = ctx_;
    ctx.artifacts = *spool;
    ctx.mirror = mirrors_.back().get();
    ctx.resolver = resolver_.get();
    return ctx;
  }

  static constexpr const char* kRemote = "s3://artefacts/gaggle";
  std::unique_ptr<s3test::ServerProcess> server_;
  std::unique_ptr<FileSystemResolver> resolver_;
  ObjectStoreFileSystem* object_store_ = nullptr;
  std::vector<std::unique_ptr<ArtifactMirror>> mirrors_;
};

TEST_F(SpecSourceTest, AMigrationCreatedOnOneHostIsPlannedAndStartedFromAnother) {
  const std::string url = std::string(kRemote) + "/specs/orders-v2.yaml";
  ServiceContext host_a = Host();
  CreateMigrationRequest create;
  create.spec_text = kSpec;
  create.idempotency_key = "task-7:create";
  auto created = CreateMigration(host_a, create);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->spec_path, url);
  auto run = RequireRun(host_a, "orders-v2");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->spec_path, url);                  // not the spool copy, which only host A has
  ASSERT_TRUE(host_a.mirror->RemoveSpool().ok());  // host A is gone

  ServiceContext host_b = Host();
  auto text = ReadSpecText(host_b, url);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "# gaggle idempotency-key: task-7:create\n" + std::string(kSpec));
  auto spec = SpecOfRun(host_b, "orders-v2", "");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->origin, url);
  // What a coordinator does to run it: plan from the recorded spec (the same plan), start.
  auto planned = PreparePlan(host_b, PlanRequest{run->spec_path, "", true, ""});
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_EQ(planned->plan.hash, created->plan_hash);
  EXPECT_TRUE(planned->saved_earlier);
  auto started = PrepareStart(host_b, "orders-v2");
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->state, RunState::kRunning);
  EXPECT_EQ(started->spec_path, url);
  // A retried create on another host finds the same migration by its spec's text.
  auto again = CreateMigration(host_b, create);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->existing);
  // The archive holds the spec.
  AuditCollectOptions o;
  o.logs_dir = host_b.artifacts;
  o.resolver = resolver_.get();
  auto files = CollectAuditFiles(ctx_.store, "orders-v2", o);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  bool has_spec = false;
  for (const AuditFile& f : *files) has_spec |= f.path == "spec.yaml" && f.data == *text;
  EXPECT_TRUE(has_spec);
}

TEST_F(SpecSourceTest, AMissingSpecObjectIsNamed) {
  ServiceContext host = Host();
  const std::string url = std::string(kRemote) + "/specs/none.yaml";
  auto text = ReadSpecText(host, url);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("none.yaml"), std::string::npos) << text.status().ToString();
  auto local = LoadSpecAt(host, (dir_ / "absent.yaml").string());
  ASSERT_FALSE(local.ok());
  EXPECT_NE(local.status().message().find("absent.yaml"), std::string::npos) << local.status().ToString();
}

}  // namespace
}  // namespace gaggle::service
