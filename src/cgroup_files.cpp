#include "vigil/cgroup_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "vigil/cgroup_parse.hpp"
#include "vigil/files.hpp"
#include "vigil/proc_parse.hpp"

namespace vigil {

std::vector<pid_t> cgroup_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  if (auto text = read_file(dir + "/cgroup.procs")) parse_children(*text, [&](pid_t p) { pids.push_back(p); });
  return pids;
}

std::optional<bool> cgroup_populated_now(const std::string& dir) {
  auto text = read_file(dir + "/cgroup.events");
  if (!text) return std::nullopt;
  return cgroup_populated(*text);
}

bool cgroup_write(const std::string& dir, const char* file, const std::string& text) {
  std::string path = dir + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  errno = err;
  return n == static_cast<ssize_t>(text.size());
}

bool cgroup_kill(const std::string& dir) { return cgroup_write(dir, "cgroup.kill", "1"); }

void cgroup_signal(const std::string& dir, int signo) {
  std::vector<pid_t> done;
  for (int pass = 0; pass < 8; ++pass) {
    bool any = false;
    for (pid_t p : cgroup_pids(dir)) {
      if (std::find(done.begin(), done.end(), p) != done.end()) continue;
      ::kill(p, signo);
      done.push_back(p);
      any = true;
    }
    if (!any) return;
  }
}

bool cgroup_remove(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d))
      if (e->d_type == DT_DIR && std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        children.push_back(dir + "/" + e->d_name);
    ::closedir(d);
    for (const auto& c : children)
      if (!cgroup_remove(c)) return false;
  }
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

int cgroup_kill_and_remove(const std::string& dir, int wait_ms, std::string* error) {
  error->clear();
  int count = 0;
  std::vector<std::string> stack{dir};  // cgroup.procs lists one level: count every level
  while (!stack.empty()) {
    std::string d = std::move(stack.back());
    stack.pop_back();
    count += static_cast<int>(cgroup_pids(d).size());
    if (DIR* dp = ::opendir(d.c_str())) {
      while (dirent* e = ::readdir(dp))
        if (e->d_type == DT_DIR && std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
          stack.push_back(d + "/" + e->d_name);
      ::closedir(dp);
    }
  }
  if (!cgroup_kill(dir) && errno != ENOENT) {
    *error = "cannot write " + dir + "/cgroup.kill: " + std::strerror(errno);
    return count;
  }
  // Bounded: this runs once at start, before any service; SIGKILLed processes are gone in
  // microseconds unless the machine is very busy.
  for (int waited = 0; cgroup_populated_now(dir).value_or(false); waited += 10) {
    if (waited >= wait_ms) {
      *error = "processes still in " + dir + " " + std::to_string(wait_ms) + " ms after SIGKILL";
      return count;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!cgroup_remove(dir)) *error = "cannot remove " + dir + ": " + std::strerror(errno);
  return count;
}

}  // namespace vigil
