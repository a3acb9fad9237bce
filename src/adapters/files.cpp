#include "vigil/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil {

std::optional<std::string> read_file(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string out;
  bool ok = fd >= 0;
  while (ok) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    else if (n == 0) break;
    else if (errno != EINTR) ok = false;
  }
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok) return out;
  if (error) *error = std::strerror(err);
  return std::nullopt;
}

}  // namespace vigil
