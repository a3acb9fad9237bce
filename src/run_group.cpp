#include "vigil/run_group.hpp"

#include <csignal>
#include <cstring>

#include "vigil/cgroup_files.hpp"
#include "vigil/child_process.hpp"
#include "vigil/oplog.hpp"

namespace vigil {

std::string RunGroup::describe() const {
  std::string d = "process group " + std::to_string(pgid_);
  if (!cgroup_.empty()) d += " and cgroup " + cgroup_;
  return d;
}

void RunGroup::signal(int signo) const {
  if (pgid_ <= 0) return;
  if (cgroup_.empty()) {
    signal_process_group(pgid_, signo);
    return;
  }
  // Every member of the group is in the cgroup: signalling the cgroup's processes one by one reaches
  // each exactly once (a process that counts repeated SIGTERMs, "again to force", sees one).
  cgroup_signal(cgroup_, signo);
}

void RunGroup::kill() const {
  if (pgid_ <= 0) return;
  signal_process_group(pgid_, SIGKILL);
  if (!cgroup_.empty() && !cgroup_kill(cgroup_))
    cgroup_signal(cgroup_, SIGKILL);  // cgroup.kill unwritable: one by one, as well as it goes
}

bool RunGroup::alive() const {
  if (pgid_ <= 0) return false;
  if (process_group_alive(pgid_)) return true;
  return !cgroup_.empty() && cgroup_populated_now(cgroup_).value_or(false);
}

void RunGroup::release(const std::string& owner) {
  if (!cgroup_.empty() && !cgroup_remove(cgroup_))
    oplog::debug(owner + ": cannot remove cgroup " + cgroup_ + ": " + std::strerror(errno) + " (reused by the next run)");
  pgid_ = 0;
  cgroup_.clear();
}

}  // namespace vigil
