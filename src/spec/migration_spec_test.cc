#include "spec/migration_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gaggle {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kFullSpec = R"yaml(# The example of docs/migration-spec.md
name: events-v2            # migration id
version: 2                 # target schema version
agent: {builtin: transform}
transform:
  rename: {user_id: account_id, ts: event_time}
  cast:   {amount: double, event_time: timestamp}
  drop:   [legacy_flag]
  add:    {region: {type: string, default: "unknown"}}
  derive: {amount_cents: "amount * 100"}
  filter: "amount >= 0"
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool}
  required: [account_id]
target: {format: parquet, compression: zstd, row_group_rows: 1000000, uri: "file:///data/v2/{id}/"}
dead_letter: {max_fraction: 0.001}
select: {ids: [a, b], match: {id: "events.*", owner: team-a, format: avro, tier: [low, standard], labels: {k: v}, schema_version: 1}}
rollout: {stages: [5%, 25%, 50%, 100%], canary: {tier: [low]}, seed: 42, auto_rollback: false}
fleet: {concurrency: 8, timeout: 30m, retries: {max: 5, initial: 2s, factor: 3, max_delay: 1m, jitter: full}}
gates:
  row_count_tolerance: 1%
  checksum: true
  distribution: {ks_max: 0.05, category_tv_max: 0.05, null_rate_delta_max: 0.01}
  max_dlq_fraction: 0.1%
  max_failed_datasets: 1%
  milestones: [25%, 50%, 75%]
notify: [{webhook: "https://hooks.example.com/T1"}]
verify: {sample: 30, seed: 7}
retention: 30d
)yaml";

MigrationSpec MustParse(const std::string& text) {
  auto r = ParseMigrationSpec(text, "events.yaml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : MigrationSpec{};
}

std::string ErrorOf(const std::string& text) {
  auto r = ParseMigrationSpec(text, "events.yaml");
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(MigrationSpec, ParsesEverySection) {
  MigrationSpec s = MustParse(kFullSpec);
  EXPECT_EQ(s.name, "events-v2");
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.agent.kind, AgentSpec::Kind::kBuiltin);
  EXPECT_EQ(s.agent.builtin, "transform");
  const TransformSpec& t = s.transform;
  ASSERT_EQ(t.rename.size(), 2u);
  EXPECT_EQ(t.rename[0], std::make_pair(std::string("user_id"), std::string("account_id")));
  EXPECT_EQ(t.rename[1], std::make_pair(std::string("ts"), std::string("event_time")));
  ASSERT_EQ(t.cast.size(), 2u);
  EXPECT_EQ(t.cast[0].first, "amount");
  EXPECT_EQ(t.cast[0].second, DataType::Double());
  EXPECT_EQ(t.cast[1].second, DataType::Timestamp());
  EXPECT_EQ(t.drop, std::vector<std::string>{"legacy_flag"});
  ASSERT_EQ(t.add.size(), 1u);
  EXPECT_EQ(t.add[0].name, "region");
  EXPECT_EQ(t.add[0].type, DataType::String());
  EXPECT_EQ(t.add[0].default_value, std::optional<std::string>("unknown"));
  ASSERT_EQ(t.derive.size(), 1u);
  EXPECT_EQ(t.derive[0].second, "amount * 100");
  EXPECT_EQ(t.filter, std::optional<std::string>("amount >= 0"));
  ASSERT_TRUE(t.source_schema.has_value());
  EXPECT_EQ(t.source_schema->ToString(), "user_id: int64, ts: string, amount: string, legacy_flag: bool");
  EXPECT_EQ(t.required, std::vector<std::string>{"account_id"});
  EXPECT_EQ(t.Where("transform.cast.amount"), "events.yaml:7:12: transform.cast.amount: ");
  EXPECT_EQ(t.Where("transform.derive.amount_cents"), "events.yaml:10:26: transform.derive.amount_cents: ");
  EXPECT_EQ(t.Where("no.such.path"), "no.such.path: ");

  EXPECT_EQ(s.target.format, Format::kParquet);
  EXPECT_EQ(s.target.compression, Compression::kZstd);
  EXPECT_EQ(s.target.row_group_rows, 1000000);
  EXPECT_EQ(s.target.uri_template, "file:///data/v2/{id}/");
  EXPECT_DOUBLE_EQ(s.dead_letter.max_fraction, 0.001);
  EXPECT_EQ(s.select.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.select.id_pattern, std::optional<std::string>("events.*"));
  EXPECT_EQ(s.select.owner, std::optional<std::string>("team-a"));
  EXPECT_EQ(s.select.format, std::optional<std::string>("avro"));
  EXPECT_EQ(s.select.tiers, (std::vector<std::string>{"low", "standard"}));
  EXPECT_EQ(s.select.labels.at("k"), "v");
  EXPECT_EQ(s.select.schema_version, std::optional<int>(1));
  EXPECT_EQ(s.rollout.stages, (std::vector<double>{5, 25, 50, 100}));
  EXPECT_EQ(s.rollout.canary_tiers, std::vector<std::string>{"low"});
  EXPECT_EQ(s.rollout.seed, 42u);
  EXPECT_FALSE(s.rollout.auto_rollback);
  EXPECT_EQ(s.fleet.concurrency, 8);
  EXPECT_EQ(s.fleet.timeout, std::chrono::minutes(30));
  EXPECT_EQ(s.fleet.retries.max, 5);
  EXPECT_EQ(s.fleet.retries.initial, std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(s.fleet.retries.factor, 3);
  EXPECT_EQ(s.fleet.retries.max_delay, std::chrono::minutes(1));
  EXPECT_EQ(s.fleet.retries.jitter, RetrySpec::Jitter::kFull);
  EXPECT_DOUBLE_EQ(s.gates.row_count_tolerance, 0.01);
  EXPECT_DOUBLE_EQ(s.gates.max_dlq_fraction, 0.001);
  EXPECT_DOUBLE_EQ(s.gates.null_rate_delta_max, 0.01);
  EXPECT_EQ(s.gates.milestones, (std::vector<double>{25, 50, 75}));
  ASSERT_EQ(s.notify.size(), 1u);
  EXPECT_EQ(s.notify[0].webhook, "https://hooks.example.com/T1");
  EXPECT_EQ(s.verify.sample, 30);
  EXPECT_EQ(s.verify.seed, 7u);
  EXPECT_TRUE(s.verify.enabled);
  EXPECT_EQ(s.retention, std::chrono::hours(24 * 30));
  EXPECT_EQ(s.hash.size(), 64u);
  EXPECT_EQ(s.origin, "events.yaml");
}

TEST(MigrationSpec, MinimalSpecGetsDefaults) {
  MigrationSpec s = MustParse("name: m\nversion: 1\n");
  EXPECT_EQ(s.agent.kind, AgentSpec::Kind::kBuiltin);
  EXPECT_TRUE(s.transform.rename.empty());
  EXPECT_FALSE(s.transform.filter.has_value());
  EXPECT_EQ(s.target.format, Format::kParquet);
  EXPECT_EQ(s.rollout.stages, (std::vector<double>{5, 25, 50, 100}));
  EXPECT_EQ(s.fleet.retries.max, 3);
  EXPECT_EQ(s.retention, std::chrono::hours(24 * 30));
  EXPECT_EQ(s.base_dir, ".");
}

TEST(MigrationSpec, ExecAgentAndShorthands) {
  MigrationSpec s = MustParse(R"yaml(
name: anon
version: 3
agent: {exec: ./agents/anonymize.py, version: "1.2.0", args: [--salt, x]}
transform:
  add: {note: string, n: {type: int64, default: 0}, z: {type: int64, default: null}, q: {type: string, default: "null"}}
  drop: legacy
select: {ids: one}
rollout: {stages: [0.1, 1], canary: {tier: critical}}
fleet: {retries: {jitter: 20%}}
)yaml");
  EXPECT_EQ(s.agent.kind, AgentSpec::Kind::kExec);
  EXPECT_EQ(s.agent.exec, "./agents/anonymize.py");
  EXPECT_EQ(s.agent.version, "1.2.0");
  EXPECT_EQ(s.agent.args, (std::vector<std::string>{"--salt", "x"}));
  ASSERT_EQ(s.transform.add.size(), 4u);
  EXPECT_FALSE(s.transform.add[0].default_value.has_value());
  EXPECT_EQ(s.transform.add[1].default_value, std::optional<std::string>("0"));
  EXPECT_FALSE(s.transform.add[2].default_value.has_value());
  EXPECT_EQ(s.transform.add[3].default_value, std::optional<std::string>("null"));  // quoted: the text
  EXPECT_EQ(s.transform.drop, std::vector<std::string>{"legacy"});
  EXPECT_EQ(s.select.ids, std::vector<std::string>{"one"});
  EXPECT_EQ(s.rollout.stages, (std::vector<double>{10, 100}));
  EXPECT_EQ(s.rollout.canary_tiers, std::vector<std::string>{"critical"});
  EXPECT_EQ(s.fleet.retries.jitter, RetrySpec::Jitter::kFraction);
  EXPECT_DOUBLE_EQ(s.fleet.retries.jitter_fraction, 0.2);
}

TEST(MigrationSpec, DeadLetterMinCountIsParsedAndLeavesOlderHashesAlone) {
  const std::string base = "name: m\nversion: 1\nagent: {builtin: transform}\n";
  MigrationSpec plain = MustParse(base + "dead_letter: {max_fraction: 1%}\n");
  MigrationSpec zero = MustParse(base + "dead_letter: {max_fraction: 1%, min_count: 0}\n");
  MigrationSpec five = MustParse(base + "dead_letter: {max_fraction: 1%, min_count: 5}\n");
  EXPECT_EQ(plain.dead_letter.min_count, 0);
  EXPECT_EQ(five.dead_letter.min_count, 5);
  EXPECT_EQ(plain.hash, zero.hash);  // a spec without it keeps the hash it had
  EXPECT_NE(plain.hash, five.hash);
  EXPECT_NE(ErrorOf(base + "dead_letter: {min_count: -1}\n").find("dead_letter.min_count"), std::string::npos);
}

TEST(MigrationSpec, AgentThreadsAreParsedAndLeaveOlderHashesAlone) {
  const std::string base = "name: m\nversion: 1\n";
  MigrationSpec plain = MustParse(base + "agent: {builtin: transform}\n");
  MigrationSpec two = MustParse(base + "agent: {builtin: transform, threads: 2}\n");
  MigrationSpec four = MustParse(base + "agent: {builtin: transform, threads: 4}\n");
  EXPECT_EQ(plain.agent.threads, 0);
  EXPECT_EQ(four.agent.threads, 4);
  // A spec without it hashes the text it hashed before the key existed.
  EXPECT_EQ(CanonicalSpecText(plain).find("threads"), std::string::npos);
  EXPECT_NE(plain.hash, two.hash);
  EXPECT_NE(two.hash, four.hash);
  EXPECT_THAT(ErrorOf(base + "agent: {builtin: transform, threads: 0}\n"), HasSubstr("agent.threads"));
  EXPECT_THAT(ErrorOf(base + "agent: {exec: ./a, threads: 2}\n"), HasSubstr("built-in agent only"));
}

TEST(MigrationSpec, WorkerLabelsAreParsedAndLeaveOlderHashesAlone) {
  const std::string base = "name: m\nversion: 1\nagent: {builtin: transform}\n";
  MigrationSpec plain = MustParse(base + "fleet: {concurrency: 4}\n");
  MigrationSpec empty = MustParse(base + "fleet: {concurrency: 4, worker_labels: {}}\n");
  MigrationSpec eu = MustParse(base + "fleet: {concurrency: 4, worker_labels: {region: eu, tier: gold}}\n");
  EXPECT_EQ(eu.fleet.worker_labels, (std::map<std::string, std::string>{{"region", "eu"}, {"tier", "gold"}}));
  EXPECT_EQ(plain.hash, empty.hash);
  EXPECT_NE(plain.hash, eu.hash);
  EXPECT_NE(ErrorOf(base + "fleet: {worker_labels: {region: \"e,u\"}}\n").find("fleet.worker_labels.region"),
            std::string::npos);
}

TEST(MigrationSpec, UnknownKeysSuggestTheLikelyOne) {
  std::string e = ErrorOf("name: m\nversion: 1\ntranform: {}\ntarget: {formt: csv}\n");
  EXPECT_THAT(e, HasSubstr("events.yaml:3:1: unknown key 'tranform' (did you mean 'transform'?)"));
  EXPECT_THAT(e, HasSubstr("events.yaml:4:10: target: unknown key 'formt' (did you mean 'format'?)"));
  // Nothing close: no suggestion.
  e = ErrorOf("name: m\nversion: 1\nzzzzzzzz: 1\n");
  EXPECT_THAT(e, HasSubstr("unknown key 'zzzzzzzz'"));
  EXPECT_THAT(e, Not(HasSubstr("did you mean")));
}

TEST(MigrationSpec, ReportsEveryProblemAtOnceWithLineAndColumn) {
  std::string e = ErrorOf(R"yaml(name: events-v2
version: two
transform:
  cast: {amount: dobule, ok: int64}
  derive: {x: "amount * * 2"}
  filter: "a >= 'x"
target: {format: parqet, compression: lz4, row_group_rows: 0}
dead_letter: {max_fraction: 2}
rollout: {stages: [50%, 25%, 100%], seed: -1}
select: {match: {tier: [lo]}}
fleet: {timeout: 10 minutes}
notify: [{webhook: "ftp://x"}]
)yaml");
  const char* expected[] = {
      "events.yaml:2:10: version: expected an integer, got 'two'",
      "events.yaml:4:18: transform.cast.amount: unknown type 'dobule' (did you mean 'double'?)",
      "events.yaml:5:15: transform.derive.x: syntax error at column 10: unexpected '*' in \"amount * * 2\"",
      "events.yaml:6:11: transform.filter: syntax error at column 6: unterminated string literal",
      "events.yaml:7:18: target.format: unknown format 'parqet' (did you mean 'parquet'?)",
      "events.yaml:7:39: target.compression: unknown compression 'lz4'",
      "events.yaml:7:60: target.row_group_rows: 0 is out of range",
      "events.yaml:8:29: dead_letter.max_fraction: '2' is not a fraction",
      "events.yaml:9:25: rollout.stages[1]: percentages must be above 0 and increase",
      "rollout.seed: expected a non-negative integer, got '-1'",
      "select.match.tier[0]: unknown tier 'lo' (did you mean 'low'?)",
      "fleet.timeout: '10 minutes' is not a duration",
      "notify[0].webhook: 'ftp://x' is not an http:// or https:// URL",
  };
  for (const char* want : expected) EXPECT_THAT(e, HasSubstr(want));
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n') + 1, static_cast<long>(std::size(expected)));
}

TEST(MigrationSpec, MalformedYamlNamesFileLineAndColumn) {
  auto r = ParseMigrationSpec("name: m\nversion: 1\ntransform: {rename: [a, b\n", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("bad.yaml:4:1: malformed YAML"));
  r = ParseMigrationSpec("name: m\n  version: 1\n", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("bad.yaml:2:"));
}

TEST(MigrationSpec, ShapeErrors) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("the spec is empty"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("must be a map of sections"));
  std::string e = ErrorOf("version: 1\n");
  EXPECT_THAT(e, HasSubstr("name: missing"));
  EXPECT_THAT(ErrorOf("name: m\n"), HasSubstr("version: missing"));
  EXPECT_THAT(ErrorOf("name: 'a b'\nversion: 1\n"), HasSubstr("may only contain letters"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nname: n\n"), HasSubstr("events.yaml:3:1: name: duplicate key 'name'"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ntransform: [a]\n"),
              HasSubstr("transform: expected a map (key: value), got a list"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ntransform: {rename: {a: [x]}}\n"),
              HasSubstr("transform.rename.a: expected text, got a list"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ntransform: {add: {r: {default: 1}}}\n"),
              HasSubstr("transform.add.r: needs a 'type'"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nagent: {builtin: transfrom}\n"),
              HasSubstr("unknown built-in agent 'transfrom' (did you mean 'transform'?)"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nagent: {builtin: transform, exec: x}\n"), HasSubstr("not both"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nagent: {version: '1'}\n"),
              HasSubstr("needs 'builtin: transform' or 'exec: PATH'"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nrollout: {stages: [5%, 50%]}\n"), HasSubstr("the last stage must be 100%"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nfleet: {retries: {jitter: ful}}\n"), HasSubstr("(did you mean 'full'?)"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nnotify: {webhook: x}\n"), HasSubstr("expected a list of {webhook: URL}"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ngates: {distribution: {ks_mx: 0.1}}\n"),
              HasSubstr("unknown key 'ks_mx' (did you mean 'ks_max'?)"));
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ntransform: {source_schema: {a: int65}}\n"),
              HasSubstr("unknown type 'int65' (did you mean 'int64'?)"));
}

TEST(MigrationSpec, ManyProblemsAreCapped) {
  std::string text = "name: m\nversion: 1\ntransform:\n  cast:\n";
  for (int i = 0; i < 200; ++i) text += "    c" + std::to_string(i) + ": nope\n";
  std::string e = ErrorOf(text);
  EXPECT_THAT(e, HasSubstr("... and 150 more problems"));
}

TEST(MigrationSpec, HashIgnoresCommentsKeyOrderAndSpacing) {
  const std::string a =
      "name: m\nversion: 2\ntransform: {rename: {a: b, c: d}, derive: {x: 'a*2', y: \"c + 1\"}, filter: 'a>0'}\n"
      "target: {format: csv, compression: none}\n";
  const std::string b = R"yaml(# same spec, other shape
target:
  compression: none   # trailing comment
  format: csv
transform:
  filter: "(a > 0)"
  derive:
    x: "a * 2"
    y: "(c+1)"
  rename:
    c: d
    a: b
version: 2
name: m
)yaml";
  EXPECT_EQ(MustParse(a).hash, MustParse(b).hash);
  EXPECT_EQ(CanonicalSpecText(MustParse(a)), CanonicalSpecText(MustParse(b)));
  // Meaningful changes change the hash: derive order (output column order), a value, a threshold.
  const std::string c =
      "name: m\nversion: 2\ntransform: {rename: {a: b, c: d}, derive: {y: 'c + 1', x: 'a*2'}, filter: 'a>0'}\n"
      "target: {format: csv, compression: none}\n";
  EXPECT_NE(MustParse(a).hash, MustParse(c).hash);
  EXPECT_NE(MustParse(a).hash, MustParse(a + "dead_letter: {max_fraction: 0.01}\n").hash);
  EXPECT_NE(MustParse(a).hash, MustParse("name: m\nversion: 3" + a.substr(17)).hash);
  // Spelling variants of the same value hash the same.
  EXPECT_EQ(MustParse("name: m\nversion: 1\nfleet: {timeout: 90m}\n").hash,
            MustParse("name: m\nversion: 1\nfleet: {timeout: 1h30m}\n").hash);
  EXPECT_EQ(MustParse("name: m\nversion: 1\ndead_letter: {max_fraction: 1%}\n").hash,
            MustParse("name: m\nversion: 1\ndead_letter: {max_fraction: 0.01}\n").hash);
}

TEST(MigrationSpec, LoadReadsFileAndSetsBaseDir) {
  std::string dir = ::testing::TempDir() + "/gaggle_spec_test";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/m.yaml";
  {
    std::ofstream f(path);
    f << "name: m\nversion: 1\nagent: {exec: ./a.py}\n";
  }
  auto r = LoadMigrationSpec(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->origin, path);
  EXPECT_EQ(r->base_dir, dir);
  auto missing = LoadMigrationSpec(dir + "/nope.yaml");
  EXPECT_FALSE(missing.ok());
  {
    std::ofstream f(path);
    f << "name: m\nversion: [\n";
  }
  r = LoadMigrationSpec(path);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr(path + ":"));
  std::remove(path.c_str());
}

TEST(MigrationSpec, HostileInputDoesNotCrash) {
  std::string deep(5000, '[');
  auto r = ParseMigrationSpec("name: m\nversion: 1\nselect: {ids: " + deep + "}\n", "x.yaml");
  EXPECT_FALSE(r.ok());
  r = ParseMigrationSpec("a: &x [1, 2]\nb: *x\nname: m\nversion: 1\n", "x.yaml");
  EXPECT_FALSE(r.ok());
  r = ParseMigrationSpec(
      std::string("name: m\nversion: 1\ntransform: {derive: {x: \"") + std::string(600, '(') + "\"}}\n", "x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested"));
  r = ParseMigrationSpec(std::string("name: m\x00\xff\nversion: 1\n", 22), "x.yaml");
  EXPECT_FALSE(r.ok());
}

TEST(MigrationSpec, FlattenAndNestAreParsedAndHashedOnlyWhenPresent) {
  MigrationSpec s = MustParse(
      "name: m\nversion: 2\ntransform: {flatten: device, nest: {hw.os: os, hw.model: model}, "
      "derive: {x: \"items[0].sku\"}}\n");
  EXPECT_EQ(s.transform.flatten, std::vector<std::string>{"device"});
  ASSERT_EQ(s.transform.nest.size(), 2u);
  EXPECT_EQ(s.transform.nest[1], (std::pair<std::string, std::string>{"hw.model", "model"}));
  // Nest keeps file order: it is the order of the new struct's fields.
  EXPECT_NE(s.hash, MustParse("name: m\nversion: 2\ntransform: {flatten: device, nest: {hw.model: model, hw.os: os}, "
                              "derive: {x: \"items[0].sku\"}}\n")
                        .hash);
  EXPECT_EQ(CanonicalSpecText(MustParse("name: m\nversion: 2\n")).find("flatten"), std::string::npos);
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\ntransform: {nest: {os: os}}\n"), HasSubstr("must be a path STRUCT.FIELD"));
}

TEST(MigrationSpec, VerifyTableTemplateAndItsHashNeutralDefault) {
  MigrationSpec plain = MustParse("name: m\nversion: 2\n");
  EXPECT_EQ(plain.verify.table, "{id}");
  MigrationSpec named = MustParse("name: m\nversion: 2\nverify: {table: \"v{version}.{name}\"}\n");
  EXPECT_EQ(named.verify.table, "v{version}.{name}");
  EXPECT_NE(plain.hash, named.hash);
  // Writing the default explicitly is the same spec as leaving it out.
  EXPECT_EQ(plain.hash, MustParse("name: m\nversion: 2\nverify: {table: \"{id}\"}\n").hash);
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nverify: {table: \"{schema}.x\"}\n"),
              HasSubstr("verify.table: '{schema}.x' is not a table name template"));
}

TEST(MigrationSpec, VerifyOutputNamesKeepByDefaultAndHashNeutral) {
  MigrationSpec plain = MustParse("name: m\nversion: 2\n");
  EXPECT_EQ(plain.verify.output_names, VerifySpec::OutputNames::kKeep);
  // Specs written before the key existed keep their hash: keep is not in the canonical text.
  EXPECT_EQ(CanonicalSpecText(plain).find("output_names"), std::string::npos);
  EXPECT_EQ(plain.hash, MustParse("name: m\nversion: 2\nverify: {output_names: keep}\n").hash);
  MigrationSpec propagate = MustParse("name: m\nversion: 2\nverify: {output_names: propagate}\n");
  EXPECT_EQ(propagate.verify.output_names, VerifySpec::OutputNames::kPropagate);
  EXPECT_NE(plain.hash, propagate.hash);
  EXPECT_THAT(ErrorOf("name: m\nversion: 1\nverify: {output_names: rename}\n"),
              HasSubstr("verify.output_names: 'rename' is not one of keep, propagate"));
}

}  // namespace
}  // namespace gaggle
