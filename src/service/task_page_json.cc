#include "service/task_page_json.h"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "store/task_state.h"

namespace gaggle::service {
namespace {

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

// As nlohmann's serializer with ensure_ascii off: the two-character escapes, \u00xx for
// the other control characters, everything else as it is.
void AppendString(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
    if (c >= 0x80) {
      // Not plain ASCII: the library's serializer checks the UTF-8 (rare in ids and errors).
      out->append(nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
  }
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void Key(const char* key, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

// The members of TaskRowJson, in its (sorted) order.
void AppendRow(const TaskRow& r, std::string* out) {
  const TaskRecord& t = r.task;
  out->append("{\"attempts\":");
  AppendInt(t.attempts, out);
  out->append(",\"bytes\":");
  AppendInt(t.size_bytes, out);
  out->append(",");
  Key("dataset", out);
  AppendString(t.dataset_id, out);
  out->append(",\"dead_lettered\":");
  AppendInt(t.dead_lettered, out);
  out->append(",\"duration_ms\":");
  AppendInt(t.duration_ms, out);
  out->append(",");
  Key("error", out);
  AppendString(t.last_error, out);
  out->append(",");
  Key("finished_at", out);
  AppendString(t.finished_at, out);
  out->append(",\"ordinal\":");
  AppendInt(t.ordinal, out);
  out->append(",");
  Key("owner", out);
  AppendString(r.owner, out);
  out->append(",\"rows_in\":");
  AppendInt(t.rows_in, out);
  out->append(",\"rows_out\":");
  AppendInt(t.rows_out, out);
  out->append(",");
  Key("source", out);
  AppendString(t.source_uri, out);
  out->append(",\"stage\":");
  AppendInt(t.stage, out);
  out->append(",");
  Key("started_at", out);
  AppendString(t.started_at, out);
  out->append(",");
  Key("state", out);
  AppendString(TaskStateName(t.state), out);
  out->append(",");
  Key("target", out);
  AppendString(t.target_uri, out);
  out->append(",");
  Key("tier", out);
  AppendString(r.tier, out);
  out->append(",\"wave\":");
  AppendInt(t.wave, out);
  out->push_back('}');
}

}  // namespace

std::string TaskQueryPageText(const TaskQueryPage& page) {
  std::string out;
  out.reserve(64 + page.rows.size() * 400);
  out.append("{\"items\":[");
  for (size_t i = 0; i < page.rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendRow(page.rows[i], &out);
  }
  out.append("],\"more\":");
  out.append(page.more ? "true" : "false");
  out.append(",\"next\":");
  if (page.more) {
    out.push_back('"');
    AppendInt(page.next_stage, &out);
    out.push_back(':');
    AppendInt(page.next_ordinal, &out);
    out.push_back('"');
  } else {
    out.append("null");
  }
  out.append(",\"scanned\":");
  AppendInt(page.scanned, &out);
  out.push_back('}');
  return out;
}

}  // namespace gaggle::service
