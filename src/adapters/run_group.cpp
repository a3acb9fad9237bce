#include "vigil/run_group.hpp"

#include <cerrno>
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
  signal_process_group(pgid_, signo);
  // What left the group (setsid, setpgid) but not the cgroup gets it too; each process once, so a
  // program that takes a second SIGTERM as "force" sees one.
  if (!cgroup_.empty()) cgroup_signal(cgroup_, signo, pgid_);
}

void RunGroup::kill() const {
  if (pgid_ <= 0) return;
  signal_process_group(pgid_, SIGKILL);
  if (!cgroup_.empty() && !cgroup_kill(cgroup_))
    cgroup_signal(cgroup_, SIGKILL, pgid_);  // cgroup.kill unwritable: one by one, as well as it goes
}

bool RunGroup::alive() const {
  if (pgid_ <= 0) return false;
  if (process_group_alive(pgid_)) return true;
  return !cgroup_.empty() && cgroup_populated_now(cgroup_).value_or(false);
}

void RunGroup::release(const std::string& owner) {
  if (!cgroup_.empty() && !cgroup_remove(cgroup_)) {
    int err = errno;
    bool left = cgroup_populated_now(cgroup_).value_or(false);
    oplog::warn(owner + ": cannot remove cgroup " + cgroup_ + ": " + std::strerror(err) +
                (left ? "; processes are still in it (a vigil started with cgroups kills what it finds there)"
                      : "; it stays, empty"));
  }
  pgid_ = 0;
  cgroup_.clear();
}

}  // namespace vigil
