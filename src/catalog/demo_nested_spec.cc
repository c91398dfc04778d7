// The nested demo estate's data profile, schema and migration spec (demo_estate.h).
#include <cstdio>

#include "catalog/demo_estate.h"
#include "columnar/synthetic_data.h"

namespace gaggle {
namespace {

std::string DemoPercent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", fraction * 100);
  return buf;
}

std::string DemoQuoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

const char* DemoDataProfile(const DemoEstateOptions& options) {
  return options.profile == "nested" ? "nested_events" : "events";
}

std::string DemoSchemaAsRead(const DemoEstateOptions& options) {
  auto data = SyntheticData::Make(DemoDataProfile(options), 0);
  if (!data.ok()) return "";
  // Avro's top-level records read back as dotted columns (a null record: nulls in each).
  Schema read;
  for (const Field& f : data->schema()->fields()) {
    if (f.type.id != TypeId::kStruct) {
      read.AddField(f);
      continue;
    }
    for (size_t i = 0; i < f.type.num_children(); ++i) {
      const Field& c = f.type.child(i);
      read.AddField(Field{f.name + "." + c.name, c.type, f.nullable || c.nullable});
    }
  }
  return read.ToString();
}

std::string DemoNestedMigrationSpecText(const DemoEstate& e, const std::string& abs_dir) {
  const std::string seed = std::to_string(e.options.seed);
  return "# The nested demo migration (gaggle generate-estate --profile nested): every v1 Avro dataset\n"
         "# becomes typed Parquet with real nested columns. The Avro `device` record reads as the\n"
         "# columns device.os, device.os_version, device.model (gaggle reads top-level Avro records as\n"
         "# dotted columns); the migration rebuilds it as a Parquet struct whose fields are renamed\n"
         "# (os -> platform, os_version -> platform_version) and lifts the model out of it into a\n"
         "# top-level column. The list of item records and the map of attributes stay nested; the\n"
         "# first item's SKU and the campaign attribute are derived into columns of their own.\n"
         "name: events-nested-v2\n"
         "version: 2\n"
         "agent: {builtin: transform}\n"
         "transform:\n"
         "  rename: {user_id: account_id, ts: event_time, device.model: device_model}\n"
         "  cast: {amount: double, event_time: timestamp}\n"
         "  drop: [legacy_flag]\n"
         "  derive: {amount_cents: \"amount * 100\", first_sku: \"items[0].sku\", campaign: \"attrs['campaign']\"}\n"
         "  nest: {device.platform: device.os, device.platform_version: device.os_version}\n"
         "  filter: \"amount >= 0\"\n"
         "  source_schema:\n"
         "    user_id: int64\n"
         "    ts: string\n"
         "    amount: string\n"
         "    legacy_flag: bool\n"
         "    country: string\n"
         "    session: string\n"
         "    device.os: string\n"
         "    device.os_version: string\n"
         "    device.model: string\n"
         "    items: list<struct<sku:string,qty:int32,price:double>>\n"
         "    attrs: map<string,string>\n"
         "  required: [account_id]\n"
         "target:\n"
         "  format: parquet\n"
         "  compression: zstd\n"
         "  row_group_rows: 1000000\n"
         "  uri: " +
         DemoQuoted("file://" + abs_dir + "/lake/v2/{name}/") +
         "\n"
         "dead_letter: {max_fraction: " +
         DemoPercent(kDemoDeadLetterMaxFraction) +
         "}\n"
         "select:\n"
         "  match: {format: avro, schema_version: 1}\n"
         "rollout:\n"
         "  stages: [5%, 25%, 50%, 100%]\n"
         "  canary: {tier: [low]}\n"
         "  seed: " +
         seed +
         "\n"
         "fleet:\n"
         "  concurrency: 2\n"
         "  timeout: 60s\n"
         "  retries: {max: 3, initial: 200ms, factor: 2, max_delay: 2s, jitter: full}\n"
         "gates:\n"
         "  row_count_tolerance: 1%\n"
         "  checksum: true\n"
         "  distribution: {ks_max: 0.05, category_tv_max: 0.05, null_rate_delta_max: 0.01}\n"
         "  max_dlq_fraction: " +
         DemoPercent(kDemoDeadLetterMaxFraction) +
         "\n"
         "  # Two planted datasets fail for good (see README.txt); the estate is small.\n"
         "  max_failed_datasets: 10%\n"
         "verify: {enabled: true, sample: 20, seed: " +
         seed +
         ", table: \"v{version}.{name}\"}\n"
         "retention: 7d\n";
}

}  // namespace gaggle
