#pragma once
// Where vigil keeps each run's processes (docs/lifecycle.md, "Containment"): in a cgroup of its own
// when vigil's cgroup was delegated to it (systemd's Delegate=yes), else in its process group only.
//
// With cgroups, ROOT is the cgroup vigil started in. vigil moves itself into ROOT/supervisor (cgroup
// v2 keeps processes in leaves once controllers are enabled), enables for ROOT's children what ROOT
// offers of memory and pids, and starts each run in ROOT/service-NAME@N or ROOT/job-NAME@N. A process
// cannot leave that by setsid() or by double-forking, and cgroup.kill ends all of it at once.
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/child_process.hpp"

namespace vigil {

enum class ContainmentMode { ProcessGroups, Cgroups };

/// Whether vigil's cgroup is delegated to it, from its /proc/self/cgroup and mountinfo (read by the
/// caller) and the cgroup's own files. Delegated means: a cgroup v2 directory owned by vigil's user
/// and writable, with cgroup.kill (Linux 5.14), holding no process but vigil; when vigil runs as root
/// (which owns every cgroup) systemd's delegate mark (trusted.delegate or user.delegate) is required too.
struct DelegationCheck {
  bool delegated = false;
  std::string root;     // the cgroup's directory, when found
  std::string why_not;  // for the operator, when not delegated
};
DelegationCheck check_delegation(std::string_view proc_self_cgroup, std::string_view mountinfo);

class Containment {
 public:
  /// Process groups; nothing is looked at.
  Containment() = default;
  /// Takes over vigil's cgroup if it is delegated (`wanted`: the config's `cgroups`): moves vigil
  /// into ROOT/supervisor, enables controllers, and kills whatever a previous vigil left in ROOT's
  /// service-* and job-* cgroups. Logs which mode is in force.
  static Containment take_over(bool wanted);

  ContainmentMode mode() const { return mode_; }
  /// With cgroups: ROOT. With process groups: why (for `vigil status`).
  const std::string& detail() const { return detail_; }
  /// A new cgroup for the next run of `kind` `name` ("service", "api"): its directory, or "" in
  /// process-group mode. When it cannot be made, *error says why and "" is returned: the run then
  /// starts in its process group only.
  std::string run_cgroup(std::string_view kind, std::string_view name, std::string* error) const;
  /// spawn_child() for one run of `kind` `name`, in its own cgroup when there is one: sets
  /// `spec.cgroup` (what RunGroup takes), warns when the cgroup could not be made, and removes it
  /// again when the spawn failed.
  SpawnResult spawn_run(std::string_view kind, const std::string& name, SpawnSpec& spec) const;

 private:
  ContainmentMode mode_ = ContainmentMode::ProcessGroups;
  std::string root_;
  mutable std::uint64_t runs_ = 0;  // numbers the runs' cgroups
  std::string detail_ = "process groups";
};

}  // namespace vigil
