#include "vigil/reaper.hpp"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace vigil {
namespace {
std::mutex g_children_mu;
std::set<pid_t> g_claimed;  // guarded by g_children_mu
}  // namespace

std::unique_lock<std::mutex> lock_children() { return std::unique_lock<std::mutex>(g_children_mu); }
void claim_child(pid_t pid) { g_claimed.insert(pid); }
void release_child(pid_t pid) {
  std::lock_guard lock(g_children_mu);
  g_claimed.erase(pid);
}

bool become_subreaper() { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

int reap_adopted(const std::function<bool(pid_t)>& owned) {
  // Children hang off the thread that forked them or, for adopted orphans, any thread of ours:
  // read every task's list.
  int reaped = 0;
  std::lock_guard lock(g_children_mu);
  DIR* tasks = ::opendir("/proc/self/task");
  if (!tasks) return 0;
  while (dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] == '.') continue;
    std::string path = std::string("/proc/self/task/") + t->d_name + "/children";
    FILE* f = std::fopen(path.c_str(), "re");
    if (!f) continue;
    long pid;
    while (std::fscanf(f, "%ld", &pid) == 1) {
      if (owned(static_cast<pid_t>(pid)) || g_claimed.count(static_cast<pid_t>(pid))) continue;
      int ws;
      if (::waitpid(static_cast<pid_t>(pid), &ws, WNOHANG) == pid) ++reaped;
    }
    std::fclose(f);
  }
  ::closedir(tasks);
  return reaped;
}

}  // namespace vigil
