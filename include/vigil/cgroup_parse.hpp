#pragma once
// Reading the kernel's cgroup v2 files: text in, values out. Pure, so every case is a unit test;
// containment.cpp does the I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// The cgroup v2 path of a process from its /proc/PID/cgroup ("0::/user.slice/x.service" →
/// "/user.slice/x.service"). nullopt when the text has no v2 line (a pure cgroup v1 host).
std::optional<std::string> unified_cgroup(std::string_view proc_pid_cgroup);

/// Where the cgroup v2 path `cgroup` is in the file system, from /proc/self/mountinfo: the cgroup2
/// mount whose root holds it (on a hybrid host that is /sys/fs/cgroup/unified). Octal escapes in
/// mount points (\040 for a space) are decoded. nullopt when no cgroup2 mount holds it.
std::optional<std::string> cgroup_dir(std::string_view mountinfo, std::string_view cgroup);

/// "populated 0|1" of cgroup.events: whether any live process is in the cgroup or below it.
std::optional<bool> cgroup_populated(std::string_view events);

/// "usage_usec N" of cpu.stat (present in every v2 cgroup, with or without the cpu controller):
/// CPU time of every process that ever ran in the cgroup, exited ones included.
std::optional<std::uint64_t> cgroup_cpu_usage_usec(std::string_view cpu_stat);

/// The working set of a cgroup with the memory controller, as Kubernetes and cAdvisor count it:
/// memory.current minus the reclaimable inactive file cache ("inactive_file" of memory.stat), so that
/// a service that only writes logs does not look like it grows. nullopt without memory.current.
std::optional<std::uint64_t> cgroup_working_set(std::string_view memory_current, std::string_view memory_stat);

/// The directory name of one service's or job's cgroup: KIND-NAME, where every byte of NAME outside
/// [A-Za-z0-9_.-] is written as %XX, so that no name can reach outside the parent or collide with
/// the cgroup's own files (which have no '-').
std::string cgroup_leaf(std::string_view kind, std::string_view name);

}  // namespace vigil
