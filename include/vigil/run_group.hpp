#pragma once
// The processes of one run of a service or job: its process group, and its own cgroup when vigil
// runs with cgroups (containment.hpp). Signals reach both, so a process that left the group by
// setsid() is still signalled, and the run is over only when both are empty.
#include <sys/types.h>

#include <string>

namespace vigil {

class RunGroup {
 public:
  RunGroup() = default;
  /// `cgroup`: the run's cgroup directory, "" for a process group only.
  RunGroup(pid_t pgid, std::string cgroup) : pgid_(pgid), cgroup_(std::move(cgroup)) {}

  bool active() const { return pgid_ > 0; }
  pid_t pgid() const { return pgid_; }
  const std::string& cgroup() const { return cgroup_; }

  /// "process group 123", or "process group 123 and cgroup DIR": for the operator log.
  std::string describe() const;
  /// `signo` to the process group and to every process of the cgroup (and the cgroups below it)
  /// that is not in the group: each process once.
  void signal(int signo) const;
  /// SIGKILL to the process group and to the whole cgroup (cgroup.kill: no fork escapes it).
  void kill() const;
  /// Any process left in the group or the cgroup.
  bool alive() const;
  /// The run is over: forgets the group and removes the cgroup (a failure is logged; each run has a
  /// cgroup of its own, so the next one does not depend on it).
  void release(const std::string& owner);

 private:
  pid_t pgid_ = 0;
  std::string cgroup_;
};

}  // namespace vigil
