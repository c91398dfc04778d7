#include "cli/cli_support.h"

#include <cstdio>
#include <iostream>

namespace gaggle::cli {

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kInvalidArgument) return kExitUsage;
  if (status.retryable()) return kExitRetryable;
  return kExitFailure;
}

int ReportError(const Status& status) {
  std::cerr << "gaggle: error: " << status.ToString() << std::endl;
  return ExitCodeFor(status);
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string HumanCount(double count) {
  char buf[32];
  if (count >= 1e9) {
    std::snprintf(buf, sizeof(buf), "%.2fG", count / 1e9);
  } else if (count >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fM", count / 1e6);
  } else if (count >= 1e4) {
    std::snprintf(buf, sizeof(buf), "%.1fk", count / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", count);
  }
  return buf;
}

ProgressPrinter::ProgressPrinter(bool enabled, std::chrono::milliseconds interval)
    : enabled_(enabled), interval_(interval), start_(std::chrono::steady_clock::now()), last_(start_) {}

double ProgressPrinter::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressPrinter::Print(const std::string& line) { std::cerr << "gaggle: " << line << std::endl; }

}  // namespace gaggle::cli
