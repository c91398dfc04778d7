#include "dataset/manifest.h"

namespace gaggle {

bool Manifest::Matches(const InputFingerprint& input_now, const std::string& spec_hash_now,
                       const AgentIdentity& agent_now) const {
  return input.SameContent(input_now) && spec_hash == spec_hash_now && agent.digest == agent_now.digest &&
         agent.version == agent_now.version;
}

nlohmann::json Manifest::ToJson() const {
  nlohmann::json j;
  j["format_version"] = format_version;
  j["migration"] = migration;
  j["spec_hash"] = spec_hash;
  j["agent"] = {{"name", agent.name}, {"version", agent.version}, {"digest", agent.digest}};
  j["input"] = input.ToJson();
  j["outputs"] = nlohmann::json::array();
  for (const OutputFile& o : outputs) {
    j["outputs"].push_back({{"path", o.path}, {"bytes", o.bytes}, {"sha256", o.sha256}, {"rows", o.rows}});
  }
  j["counts"] = {{"rows_in", counts.rows_in},
                 {"rows_out", counts.rows_out},
                 {"dead_lettered", counts.dead_lettered},
                 {"filtered", counts.filtered}};
  j["content_checksum"] = content_checksum;
  j["output_schema"] = nlohmann::json::array();
  for (const Field& f : output_schema.fields()) {
    j["output_schema"].push_back({{"name", f.name}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  j["started_at"] = started_at;
  j["finished_at"] = finished_at;
  j["seconds"] = seconds;
  return j;
}

Result<Manifest> Manifest::FromJson(const nlohmann::json& j) {
  Manifest m;
  try {
    m.format_version = j.at("format_version").get<int>();
    if (m.format_version != 1) {
      return Status::Unsupported("manifest format_version " + std::to_string(m.format_version));
    }
    m.migration = j.at("migration").get<std::string>();
    m.spec_hash = j.at("spec_hash").get<std::string>();
    m.agent.name = j.at("agent").at("name").get<std::string>();
    m.agent.version = j.at("agent").at("version").get<std::string>();
    m.agent.digest = j.at("agent").at("digest").get<std::string>();
    GAGGLE_ASSIGN_OR_RETURN(m.input, InputFingerprint::FromJson(j.at("input")));
    for (const auto& o : j.at("outputs")) {
      m.outputs.push_back({o.at("path").get<std::string>(), o.at("bytes").get<uint64_t>(),
                           o.at("sha256").get<std::string>(), o.at("rows").get<int64_t>()});
    }
    const auto& c = j.at("counts");
    m.counts = {c.at("rows_in").get<int64_t>(), c.at("rows_out").get<int64_t>(), c.at("dead_lettered").get<int64_t>(),
                c.at("filtered").get<int64_t>()};
    m.content_checksum = j.at("content_checksum").get<std::string>();
    for (const auto& f : j.at("output_schema")) {
      auto type = ParseDataType(f.at("type").get<std::string>());
      if (!type) return Status::Corruption("manifest: unknown type '" + f.at("type").get<std::string>() + "'");
      m.output_schema.AddField({f.at("name").get<std::string>(), *type, f.at("nullable").get<bool>()});
    }
    m.started_at = j.value("started_at", "");
    m.finished_at = j.value("finished_at", "");
    m.seconds = j.value("seconds", 0.0);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("manifest: ") + e.what());
  }
  return m;
}

Result<Manifest> Manifest::Load(FileSystem* fs, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(std::string text, ReadFileToString(fs, path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("manifest '" + path + "' is not valid JSON");
  auto m = FromJson(j);
  if (!m.ok()) return m.status().WithContext(path);
  return m;
}

}  // namespace gaggle
