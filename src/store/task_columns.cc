#include "store/task_columns.h"

namespace gaggle {

std::string TaskColumnsOf(const std::string& alias) {
  std::string out = alias + ".";
  for (const char* c = kTaskColumns; *c != '\0'; ++c) {
    out += *c;
    if (*c == ' ') out += alias + ".";
  }
  return out;
}

}  // namespace gaggle
