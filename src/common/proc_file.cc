#include "common/proc_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace gaggle {

std::string ReadProcFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0) text.clear();  // gone while read: as if it never was
      break;
    }
  }
  ::close(fd);
  return text;
}

}  // namespace gaggle
