// CanonicalSpecText and SpecHash (declared in migration_spec.h).
#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dataset/format_table.h"
#include "spec/expression_parser.h"
#include "spec/migration_spec.h"
#include "spec/spec_values.h"

namespace gaggle {
namespace {

using Json = nlohmann::ordered_json;

// Expressions are hashed in their canonical form, so spacing and redundant
// parentheses inside them do not change the hash either.
std::string CanonicalExpression(const std::string& text) {
  auto parsed = ParseExpression(text);
  return parsed.ok() ? ExprToString(**parsed) : text;
}

std::string Duration(std::chrono::milliseconds d) { return FormatDuration(d); }

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

Json AgentJson(const AgentSpec& a) {
  Json agent;
  if (a.kind == AgentSpec::Kind::kBuiltin) {
    agent["builtin"] = a.builtin;
  } else {
    agent["exec"] = a.exec;
    agent["args"] = a.args;
  }
  agent["version"] = a.version;
  // Only when set, so that specs written before the key existed keep their hash.
  if (a.threads != 0) agent["threads"] = a.threads;
  return agent;
}

Json TransformJson(const TransformSpec& t) {
  Json tr;
  // Renames and casts apply simultaneously, so their order carries no meaning.
  auto rename = t.rename;
  std::sort(rename.begin(), rename.end());
  tr["rename"] = Json::array();
  for (const auto& [from, to] : rename) tr["rename"].push_back({from, to});
  std::vector<std::pair<std::string, std::string>> cast;
  for (const auto& [col, type] : t.cast) cast.emplace_back(col, type.ToString());
  std::sort(cast.begin(), cast.end());
  tr["cast"] = Json::array();
  for (const auto& [col, type] : cast) tr["cast"].push_back({col, type});
  tr["drop"] = Sorted(t.drop);
  // add and derive keep file order: it is the output's column order.
  tr["add"] = Json::array();
  for (const AddColumnSpec& a : t.add) {
    tr["add"].push_back({a.name, a.type.ToString(), a.default_value ? Json(*a.default_value) : Json(nullptr)});
  }
  tr["derive"] = Json::array();
  for (const auto& [col, expr] : t.derive) tr["derive"].push_back({col, CanonicalExpression(expr)});
  tr["filter"] = t.filter ? Json(CanonicalExpression(*t.filter)) : Json(nullptr);
  if (t.source_schema) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const Field& f : t.source_schema->fields()) fields.emplace_back(f.name, f.type.ToString());
    std::sort(fields.begin(), fields.end());
    tr["source_schema"] = Json::array();
    for (const auto& [name, type] : fields) tr["source_schema"].push_back({name, type});
  } else {
    tr["source_schema"] = nullptr;
  }
  tr["required"] = Sorted(t.required);
  // Only when present, so that the hashes of specs written before them do not change.
  if (!t.flatten.empty()) tr["flatten"] = t.flatten;  // file order: the output's column order
  if (!t.nest.empty()) {
    tr["nest"] = Json::array();
    for (const auto& [to, from] : t.nest) tr["nest"].push_back({to, from});
  }
  if (t.missing_columns == TransformSpec::MissingColumns::kSkip) tr["missing_columns"] = "skip";
  return tr;
}

Json SelectJson(const SelectSpec& sel) {
  Json match;
  match["id"] = sel.id_pattern ? Json(*sel.id_pattern) : Json(nullptr);
  match["owner"] = sel.owner ? Json(*sel.owner) : Json(nullptr);
  match["format"] = sel.format ? Json(*sel.format) : Json(nullptr);
  match["tier"] = Sorted(sel.tiers);
  match["labels"] = Json::object();
  for (const auto& [k, v] : sel.labels) match["labels"][k] = v;  // std::map: sorted
  match["schema_version"] = sel.schema_version ? Json(*sel.schema_version) : Json(nullptr);
  return {{"ids", Sorted(sel.ids)}, {"match", match}};
}

Json FleetJson(const FleetSpec& fleet) {
  const RetrySpec& r = fleet.retries;
  static const char* kJitter[] = {"none", "full", "equal", "fraction"};
  Json j = {{"concurrency", fleet.concurrency},
            {"timeout", Duration(fleet.timeout)},
            {"retries",
             {{"max", r.max},
              {"initial", Duration(r.initial)},
              {"factor", r.factor},
              {"max_delay", Duration(r.max_delay)},
              {"jitter", kJitter[static_cast<int>(r.jitter)]},
              {"jitter_fraction", r.jitter_fraction}}}};
  // Only when set, so the hash of every spec without it stays what it was.
  if (!fleet.worker_labels.empty()) j["worker_labels"] = fleet.worker_labels;
  return j;
}

Json GatesJson(const GatesSpec& g) {
  return {{"row_count_tolerance", g.row_count_tolerance},
          {"checksum", g.checksum},
          {"ks_max", g.ks_max},
          {"category_tv_max", g.category_tv_max},
          {"null_rate_delta_max", g.null_rate_delta_max},
          {"max_dlq_fraction", g.max_dlq_fraction},
          {"max_failed_datasets", g.max_failed_datasets},
          {"milestones", g.milestones}};
}

}  // namespace

// Keys keep the order written here (ordered_json): the hash depends on it.
std::string CanonicalSpecText(const MigrationSpec& s) {
  Json j;
  j["name"] = s.name;
  j["version"] = s.version;
  j["agent"] = AgentJson(s.agent);
  j["transform"] = TransformJson(s.transform);
  j["target"] = {{"format", FormatName(s.target.format)},
                 {"compression", CompressionName(s.target.compression)},
                 {"row_group_rows", s.target.row_group_rows},
                 {"uri", s.target.uri_template}};
  j["dead_letter"] = {{"max_fraction", s.dead_letter.max_fraction}};
  // Only when set, so that the hash of every spec written before min_count existed stays the same.
  if (s.dead_letter.min_count != 0) j["dead_letter"]["min_count"] = s.dead_letter.min_count;
  j["select"] = SelectJson(s.select);
  j["rollout"] = {{"stages", s.rollout.stages},
                  {"canary", Sorted(s.rollout.canary_tiers)},
                  {"seed", s.rollout.seed},
                  {"auto_rollback", s.rollout.auto_rollback}};
  j["fleet"] = FleetJson(s.fleet);
  j["gates"] = GatesJson(s.gates);
  j["notify"] = Json::array();
  for (const NotifySpec& n : s.notify) j["notify"].push_back({{"webhook", n.webhook}});
  j["verify"] = {{"enabled", s.verify.enabled},
                 {"sample", s.verify.sample},
                 {"seed", s.verify.seed},
                 {"float_tolerance", s.verify.float_tolerance}};
  // Only when set, so that specs written before the key existed keep their hash.
  if (s.verify.table != VerifySpec().table) j["verify"]["table"] = s.verify.table;
  if (s.verify.output_names == VerifySpec::OutputNames::kPropagate) j["verify"]["output_names"] = "propagate";
  j["retention"] = Duration(std::chrono::duration_cast<std::chrono::milliseconds>(s.retention));
  // Strings in a spec may hold any bytes; replace invalid UTF-8 instead of throwing.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SpecHash(const MigrationSpec& spec) {
  std::string text = CanonicalSpecText(spec);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace gaggle
