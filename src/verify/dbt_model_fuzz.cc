// libFuzzer target: any bytes as a dbt model must never crash; blocks found are in order
// and inside the text, and rewriting with rules that change nothing gives the model back
// byte for byte (every Jinja block restored exactly).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "verify/dbt_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto blocks = gaggle::ScanDbtJinja(sql);
  if (!blocks.ok()) return 0;
  size_t last = 0;
  for (const gaggle::DbtJinja& j : *blocks) {
    if (j.begin < last || j.end <= j.begin || j.end > size) __builtin_trap();
    last = j.end;
  }
  gaggle::RewriteRules rules;
  rules.other_tables["t"] = {"a", "b"};
  auto same = gaggle::RewriteDbtModel(sql, rules, [](const gaggle::DbtJinja&) { return std::string("t"); });
  if (same.ok() && same->Changed() == 0 && same->Refused() == 0 && same->text != sql) __builtin_trap();
  (void)gaggle::RenderDbtModel(sql,
                               [](const gaggle::DbtJinja& j) { return gaggle::Result<std::string>(j.args.back()); });
  return 0;
}
