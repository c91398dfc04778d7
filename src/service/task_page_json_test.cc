// TaskQueryPageText against the JSON tree it replaces: the same bytes as
// TaskQueryPageJson(page).dump() for every case below (each string case put in every
// string member), and valid JSON with U+FFFD where a string is not UTF-8.
#include "service/task_page_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "service/task_operations.h"

namespace gaggle::service {
namespace {

TaskRow Row(const std::string& text, int64_t n) {
  TaskRow r;
  TaskRecord& t = r.task;
  t.migration = "m";
  t.dataset_id = "ds." + text;
  t.ordinal = n;
  t.stage = static_cast<int>(n % 5);
  t.wave = static_cast<int>(n % 3);
  t.state = n % 2 == 0 ? TaskState::kNeedsAttention : TaskState::kSucceeded;
  t.attempts = static_cast<int>(n % 7);
  t.last_error = text;
  t.started_at = "2026-12-05T06:00:00.000Z";
  t.finished_at = text;
  t.rows_in = n * 1000;
  t.rows_out = -n;
  t.dead_lettered = n;
  t.size_bytes = std::numeric_limits<int64_t>::max() - n;
  t.duration_ms = std::numeric_limits<int64_t>::min() + n;
  t.source_uri = "file:///data/" + text;
  t.target_uri = text;
  r.owner = text;
  r.tier = text.empty() ? "" : "gold";
  return r;
}

struct StringCase {
  const char* name;
  std::string text;
};

const std::vector<StringCase>& StringCases() {
  static const std::vector<StringCase> cases = {
      {"empty", ""},
      {"plain", "orders_2024"},
      {"quotes and backslashes", "say \"hi\" \\ C:\\path\\"},
      {"short escapes", "a\bb\fc\nd\re\tf"},
      {"other control characters", std::string("\x01\x02\x1f\x7f nul:") + std::string(1, '\0') + "end"},
      {"slash is not escaped", "s3://bucket/a/b"},
      {"two-byte UTF-8", "caf\xc3\xa9"},
      {"four-byte UTF-8", "rocket \xf0\x9f\x9a\x80"},
      {"long", std::string(5000, 'x') + "\"" + std::string(5000, 'y')},
  };
  return cases;
}

TEST(TaskPageJsonTest, SameBytesAsTheJsonTreeForEveryStringCase) {
  for (const StringCase& c : StringCases()) {
    TaskQueryPage page;
    for (int64_t n = 0; n < 4; ++n) page.rows.push_back(Row(c.text, n));
    page.more = true;
    page.next_stage = 3;
    page.next_ordinal = 123456789012;
    page.scanned = 4;
    EXPECT_EQ(TaskQueryPageText(page), TaskQueryPageJson(page).dump()) << c.name;
  }
}

TEST(TaskPageJsonTest, SameBytesForEmptyAndLastPages) {
  TaskQueryPage empty;
  EXPECT_EQ(TaskQueryPageText(empty), TaskQueryPageJson(empty).dump());
  EXPECT_EQ(TaskQueryPageText(empty), "{\"items\":[],\"more\":false,\"next\":null,\"scanned\":0}");
  TaskQueryPage last;
  last.rows.push_back(Row("x", 7));
  last.scanned = 100000;
  EXPECT_EQ(TaskQueryPageText(last), TaskQueryPageJson(last).dump());
  TaskQueryPage scan_bound;  // nothing matched yet, more may: the cursor is the horizon
  scan_bound.more = true;
  scan_bound.next_stage = 0;
  scan_bound.next_ordinal = 0;
  EXPECT_EQ(TaskQueryPageText(scan_bound), TaskQueryPageJson(scan_bound).dump());
}

TEST(TaskPageJsonTest, InvalidUtf8IsReplacedAndTheDocumentStaysValid) {
  const std::string bad = "bad \xff\xfe byte and cut \xe2\x82";
  TaskQueryPage page;
  page.rows.push_back(Row(bad, 1));
  const std::string text = TaskQueryPageText(page);
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << text.substr(0, 200);
  const std::string error = parsed["items"][0]["error"].get<std::string>();
  EXPECT_EQ(error.rfind("bad ", 0), 0u) << error;
  EXPECT_NE(error.find("\xef\xbf\xbd"), std::string::npos) << error;  // U+FFFD
  EXPECT_EQ(parsed["items"][0]["ordinal"], 1);
}

}  // namespace
}  // namespace gaggle::service
