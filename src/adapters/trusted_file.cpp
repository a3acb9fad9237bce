#include "vigil/trusted_file.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "vigil/toml_guard.hpp"

namespace vigil {

namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string user_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return "";
}

std::string describe_owner(uid_t uid, const std::string& name) {
  return "uid " + std::to_string(uid) + (name.empty() ? "" : " (" + name + ")");
}

}  // namespace

std::optional<std::string> untrusted_file_reason(uid_t owner, const std::string& owner_name, mode_t mode, uid_t self) {
  std::string facts = "mode " + octal_mode(mode) + ", owner " + describe_owner(owner, owner_name);
  if (owner != self && owner != 0)
    return "is owned by another user (" + facts + "): whoever owns it could run commands as vigil; "
           "it must belong to you or to root";
  if (mode & (S_IWGRP | S_IWOTH))
    return std::string("is writable by ") + ((mode & S_IWOTH) ? "everyone" : "its group") + " (" + facts +
           "): whoever can write it could run commands as vigil; fix with chmod go-w";
  return std::nullopt;
}

TrustedRead read_trusted_file(const std::string& path, const std::string& what) {
  TrustedRead r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    r.error = Diagnostic{path, 0, 0, "cannot read " + what + ": " + std::strerror(errno)};
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r.error = Diagnostic{path, 0, 0, "cannot read " + what + ": " + std::strerror(errno)};
  } else if (!S_ISREG(st.st_mode)) {
    r.error = Diagnostic{path, 0, 0, "cannot read " + what + ": not a regular file"};
  } else if (auto why = untrusted_file_reason(st.st_uid, user_name(st.st_uid), st.st_mode, ::geteuid())) {
    r.error = Diagnostic{path, 0, 0, "refusing the " + what + " file: it " + *why};
  } else if (static_cast<std::uint64_t>(st.st_size) > kMaxTomlBytes) {
    r.error = Diagnostic{path, 0, 0,
                         what + " file of " + std::to_string(st.st_size) + " bytes; at most " +
                             std::to_string(kMaxTomlBytes) + " are read"};
  } else {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        r.error = Diagnostic{path, 0, 0, "cannot read " + what + ": " + std::strerror(errno)};
        break;
      }
      if (n == 0) break;
      r.text.append(buf, static_cast<std::size_t>(n));
      if (r.text.size() > kMaxTomlBytes) break;  // grew while read: the guard reports it
    }
  }
  ::close(fd);
  return r;
}

std::optional<std::string> prepare_private_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return "cannot create " + dir + ": " + std::strerror(errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return "cannot use " + dir + ": " + std::strerror(errno);
  std::string facts = " (mode " + octal_mode(st.st_mode) + ", owner " + describe_owner(st.st_uid, user_name(st.st_uid)) + ")";
  std::string advice = "; someone may have made it to intercept vigil's socket and status: remove it, or set "
                       "XDG_RUNTIME_DIR or [vigil] socket to a folder of your own";
  if (S_ISLNK(st.st_mode)) return dir + " is a symbolic link" + advice;
  if (!S_ISDIR(st.st_mode)) return dir + " is not a directory" + advice;
  if (st.st_uid != ::geteuid()) return dir + " belongs to another user" + facts + advice;
  if (st.st_mode & 077) return dir + " is open to other users" + facts + "; fix with chmod 700 " + dir;
  return std::nullopt;
}

}  // namespace vigil
