#include "fleet/work_payload.h"

#include <nlohmann/json.hpp>

namespace gaggle {

namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> Parse(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Corruption(std::string(what) + " in the work queue is not a JSON object");
  return j;
}

json ErrorJson(const Status& st) {
  return {{"error", {{"code", static_cast<int>(st.code())}, {"message", st.message()}, {"retryable", st.retryable()}}}};
}

// The error a report carries, or OK when it carries none.
Status ErrorOf(const json& j) {
  auto e = j.find("error");
  if (e == j.end()) return Status::OK();
  const int code = e->value("code", static_cast<int>(StatusCode::kInternal));
  if (code <= 0 || code > static_cast<int>(StatusCode::kInternal)) {
    return Status::Corruption("work report: unknown status code " + std::to_string(code));
  }
  return Status(static_cast<StatusCode>(code), e->value("message", std::string()), e->value("retryable", false));
}

}  // namespace

std::string EncodeWorkTask(const TaskRecord& t) {
  return Dump({{"migration", t.migration},
               {"dataset", t.dataset_id},
               {"ordinal", t.ordinal},
               {"stage", t.stage},
               {"source", t.source_uri},
               {"format", t.source_format},
               {"target", t.target_uri},
               {"size", t.size_bytes},
               {"attempts", t.attempts}});
}

Result<TaskRecord> DecodeWorkTask(const std::string& text) {
  GAGGLE_ASSIGN_OR_RETURN(json j, Parse(text, "a task"));
  try {
    TaskRecord t;
    t.migration = j.at("migration").get<std::string>();
    t.dataset_id = j.at("dataset").get<std::string>();
    t.ordinal = j.at("ordinal").get<int64_t>();
    t.stage = j.at("stage").get<int>();
    t.source_uri = j.at("source").get<std::string>();
    t.source_format = j.at("format").get<std::string>();
    t.target_uri = j.at("target").get<std::string>();
    t.size_bytes = j.at("size").get<int64_t>();
    t.attempts = j.at("attempts").get<int>();
    t.state = TaskState::kRunning;
    return t;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("a task in the work queue: ") + e.what());
  }
}

std::string WorkIdentity(const TaskRecord& t) {
  return Dump(json::array({t.source_uri, t.source_format, t.target_uri}));
}

std::string EncodeOutcome(const Result<TaskOutcome>& r) {
  if (!r.ok()) return Dump(ErrorJson(r.status()));
  const TaskOutcome& o = *r;
  return Dump({{"skipped", o.skipped},
               {"rows_in", o.rows_in},
               {"rows_out", o.rows_out},
               {"dead_lettered", o.dead_lettered},
               {"filtered", o.filtered},
               {"bytes_out", o.bytes_out},
               {"message", o.message}});
}

Result<TaskOutcome> DecodeOutcome(const std::string& text) {
  GAGGLE_ASSIGN_OR_RETURN(json j, Parse(text, "an attempt's report"));
  GAGGLE_RETURN_IF_ERROR(ErrorOf(j));
  try {
    TaskOutcome o;
    o.skipped = j.at("skipped").get<bool>();
    o.rows_in = j.at("rows_in").get<int64_t>();
    o.rows_out = j.at("rows_out").get<int64_t>();
    o.dead_lettered = j.at("dead_lettered").get<int64_t>();
    o.filtered = j.at("filtered").get<int64_t>();
    o.bytes_out = j.at("bytes_out").get<int64_t>();
    o.message = j.at("message").get<std::string>();
    return o;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("an attempt's report in the work queue: ") + e.what());
  }
}

std::string EncodeValidation(const Result<TaskValidation>& r) {
  if (!r.ok()) return Dump(ErrorJson(r.status()));
  const TaskValidation& v = *r;
  return Dump({{"passed", v.passed},
               {"source_changed", v.source_changed},
               {"summary", v.summary},
               {"report", v.report},
               {"seconds", v.seconds}});
}

Result<TaskValidation> DecodeValidation(const std::string& text) {
  GAGGLE_ASSIGN_OR_RETURN(json j, Parse(text, "a validation's report"));
  GAGGLE_RETURN_IF_ERROR(ErrorOf(j));
  try {
    TaskValidation v;
    v.passed = j.at("passed").get<bool>();
    v.source_changed = j.at("source_changed").get<bool>();
    v.summary = j.at("summary").get<std::string>();
    v.report = j.at("report").get<std::string>();
    v.seconds = j.value("seconds", 0.0);  // absent in reports of earlier versions
    return v;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("a validation's report in the work queue: ") + e.what());
  }
}

std::string EncodeAttemptReport(const Result<TaskOutcome>& outcome, const Result<TaskValidation>* validation) {
  std::string text = EncodeOutcome(outcome);
  if (validation != nullptr) text += "\n" + EncodeValidation(*validation);  // compact JSON has no raw newline
  return text;
}

std::pair<std::string, std::optional<std::string>> SplitAttemptReport(const std::string& text) {
  const size_t nl = text.find('\n');
  if (nl == std::string::npos) return {text, std::nullopt};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace gaggle
