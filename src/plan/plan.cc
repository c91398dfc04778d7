#include "plan/plan.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>

namespace gaggle {
namespace {

class PlanSha256 {
 public:
  PlanSha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void Field(const std::string& s) {
    std::string len = std::to_string(s.size()) + ":";
    EVP_DigestUpdate(ctx_.get(), len.data(), len.size());
    EVP_DigestUpdate(ctx_.get(), s.data(), s.size());
  }
  void Field(int64_t v) { Field(std::to_string(v)); }
  std::string HexDigest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &n);
    std::string hex;
    char buf[3];
    for (unsigned int i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "%02x", md[i]);
      hex += buf;
    }
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string PercentText(double p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", p);
  return buf;
}

}  // namespace

bool PlanRow::operator==(const PlanRow& o) const {
  return dataset_id == o.dataset_id && wave == o.wave && stage == o.stage && priority == o.priority && tier == o.tier &&
         blast_radius == o.blast_radius && blast_radius_exact == o.blast_radius_exact && size_bytes == o.size_bytes &&
         source_uri == o.source_uri && source_format == o.source_format &&
         source_schema_version == o.source_schema_version && target_uri == o.target_uri;
}

bool PlanStage::operator==(const PlanStage& o) const {
  return index == o.index && percent == o.percent && canary == o.canary && datasets == o.datasets && bytes == o.bytes &&
         by_tier == o.by_tier && first_wave == o.first_wave && last_wave == o.last_wave;
}

std::string ComputePlanHash(const Plan& plan) {
  PlanSha256 h;
  h.Field("gaggle-plan-v1");
  h.Field(plan.migration);
  h.Field(plan.spec_hash);
  h.Field(plan.target_version);
  h.Field(plan.target_format);
  h.Field(plan.agent);
  h.Field(plan.agent_version);
  h.Field(std::to_string(plan.seed));
  h.Field(plan.num_waves);
  h.Field(static_cast<int64_t>(plan.stages.size()));
  for (const PlanStage& s : plan.stages) {
    h.Field(s.index);
    h.Field(PercentText(s.percent));
    h.Field(s.canary ? 1 : 0);
    h.Field(s.datasets);
  }
  h.Field(static_cast<int64_t>(plan.rows.size()));
  for (const PlanRow& r : plan.rows) {
    h.Field(r.dataset_id);
    h.Field(r.wave);
    h.Field(r.stage);
    h.Field(r.priority);
    h.Field(TierName(r.tier));
    h.Field(r.size_bytes);
    h.Field(r.source_uri);
    h.Field(r.source_format);
    h.Field(r.source_schema_version);
    h.Field(r.target_uri);
  }
  return h.HexDigest();
}

nlohmann::json PlanHeaderToJson(const Plan& plan) {
  nlohmann::json j;
  j["migration"] = plan.migration;
  j["hash"] = plan.hash;
  j["spec_hash"] = plan.spec_hash;
  j["target_version"] = plan.target_version;
  j["target_format"] = plan.target_format;
  j["agent"] = plan.agent;
  j["agent_version"] = plan.agent_version;
  j["seed"] = plan.seed;
  j["waves"] = plan.num_waves;
  j["datasets"] = plan.rows.size();
  if (!plan.created_at.empty()) j["created_at"] = plan.created_at;
  j["stages"] = nlohmann::json::array();
  for (const PlanStage& s : plan.stages) {
    j["stages"].push_back({{"index", s.index},
                           {"percent", s.percent},
                           {"canary", s.canary},
                           {"datasets", s.datasets},
                           {"bytes", s.bytes},
                           {"critical", s.by_tier[0]},
                           {"standard", s.by_tier[1]},
                           {"low", s.by_tier[2]},
                           {"first_wave", s.first_wave},
                           {"last_wave", s.last_wave}});
  }
  j["warnings"] = plan.warnings;
  return j;
}

Result<Plan> PlanHeaderFromJson(const nlohmann::json& j) {
  try {
    Plan p;
    p.migration = j.at("migration").get<std::string>();
    p.hash = j.at("hash").get<std::string>();
    p.spec_hash = j.at("spec_hash").get<std::string>();
    p.target_version = j.at("target_version").get<int>();
    p.target_format = j.at("target_format").get<std::string>();
    p.agent = j.at("agent").get<std::string>();
    p.agent_version = j.at("agent_version").get<std::string>();
    p.seed = j.at("seed").get<uint64_t>();
    p.num_waves = j.at("waves").get<int>();
    if (j.contains("created_at")) p.created_at = j.at("created_at").get<std::string>();
    for (const auto& s : j.at("stages")) {
      PlanStage st;
      st.index = s.at("index").get<int>();
      st.percent = s.at("percent").get<double>();
      st.canary = s.at("canary").get<bool>();
      st.datasets = s.at("datasets").get<int64_t>();
      st.bytes = s.at("bytes").get<int64_t>();
      st.by_tier = {s.at("critical").get<int64_t>(), s.at("standard").get<int64_t>(), s.at("low").get<int64_t>()};
      st.first_wave = s.at("first_wave").get<int>();
      st.last_wave = s.at("last_wave").get<int>();
      p.stages.push_back(st);
    }
    p.warnings = j.at("warnings").get<std::vector<std::string>>();
    return p;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("saved plan header is malformed: ") + e.what());
  }
}

nlohmann::json PlanRowToJson(const PlanRow& r) {
  nlohmann::json j = {{"dataset", r.dataset_id},
                      {"wave", r.wave},
                      {"stage", r.stage},
                      {"priority", r.priority},
                      {"tier", TierName(r.tier)},
                      {"blast_radius", r.blast_radius},
                      {"blast_radius_exact", r.blast_radius_exact},
                      {"size_bytes", r.size_bytes},
                      {"source_uri", r.source_uri},
                      {"source_format", r.source_format},
                      {"source_schema_version", r.source_schema_version},
                      {"target_uri", r.target_uri}};
  if (r.columns_known) {
    nlohmann::json renames = nlohmann::json::object();
    for (const auto& [from, to] : r.renames) renames[from] = to;
    j["columns"] = {{"renames", renames}, {r.missing_skipped ? "skipped" : "missing", r.missing}};
  }
  return j;
}

nlohmann::json PlanToJson(const Plan& plan, size_t max_rows) {
  nlohmann::json j = PlanHeaderToJson(plan);
  j["rows"] = nlohmann::json::array();
  for (size_t i = 0; i < plan.rows.size() && i < max_rows; ++i) j["rows"].push_back(PlanRowToJson(plan.rows[i]));
  return j;
}

}  // namespace gaggle
