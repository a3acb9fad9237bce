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

std::vector<std::string> cgroup_children(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_type == DT_DIR && std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        out.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  return out;
}

std::vector<pid_t> cgroup_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  if (auto text = read_file(dir + "/cgroup.procs")) parse_children(*text, [&](pid_t p) { pids.push_back(p); });
  return pids;
}

std::vector<pid_t> cgroup_subtree_pids(const std::string& dir) {
  std::vector<pid_t> pids = cgroup_pids(dir);
  for (const auto& child : cgroup_children(dir))
    for (pid_t p : cgroup_subtree_pids(child)) pids.push_back(p);
  return pids;
}

std::optional<bool> cgroup_populated_now(const std::string& dir) {
  auto text = read_file(dir + "/cgroup.events");
  if (text) {
    if (auto populated = cgroup_populated(*text)) return populated;
  }
  if (::access(dir.c_str(), F_OK) != 0 && errno == ENOENT) return std::nullopt;
  return true;
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

void cgroup_signal(const std::string& dir, int signo, pid_t pgid) {
  std::vector<pid_t> done;
  for (int pass = 0; pass < 8; ++pass) {
    bool any = false;
    for (pid_t p : cgroup_subtree_pids(dir)) {
      if (std::find(done.begin(), done.end(), p) != done.end()) continue;
      done.push_back(p);
      any = true;
      if (::getpgid(p) != pgid) ::kill(p, signo);
    }
    if (!any) return;
  }
}

bool cgroup_remove(const std::string& dir) {
  for (const auto& child : cgroup_children(dir))
    if (!cgroup_remove(child)) return false;
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

int cgroup_kill_tree(const std::string& dir, std::string* error) {
  int count = static_cast<int>(cgroup_subtree_pids(dir).size());
  if (!cgroup_kill(dir) && errno != ENOENT) {
    *error = "cannot write " + dir + "/cgroup.kill: " + std::strerror(errno);
    return -1;
  }
  return count;
}

bool cgroup_remove_when_empty(const std::string& dir, std::chrono::steady_clock::time_point deadline, std::string* error) {
  // Bounded: SIGKILLed processes are gone in microseconds unless the machine is very busy.
  while (cgroup_populated_now(dir).value_or(false)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      *error = "processes are still in " + dir + " after SIGKILL";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (cgroup_remove(dir)) return true;
  *error = "cannot remove " + dir + ": " + std::strerror(errno);
  return false;
}

}  // namespace vigil
