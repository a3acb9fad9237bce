#pragma once
// One cgroup v2 directory's files, read and written with plain system calls. Used by Containment
// (setting up, leftovers) and RunGroup (one run).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// The cgroups directly below DIR (their paths).
std::vector<std::string> cgroup_children(const std::string& dir);
/// The pids in DIR/cgroup.procs: DIR itself, not the cgroups below it.
std::vector<pid_t> cgroup_pids(const std::string& dir);
/// The pids in DIR and every cgroup below it (a service may make cgroups of its own).
std::vector<pid_t> cgroup_subtree_pids(const std::string& dir);
/// DIR/cgroup.events says a live process is in DIR or below it. nullopt only when DIR is gone; a
/// cgroup that exists but cannot be read (out of fds) counts as populated: never call a run over
/// on a read error.
std::optional<bool> cgroup_populated_now(const std::string& dir);
/// SIGKILL to every process in DIR and below, atomically against forks (DIR/cgroup.kill). False
/// when it could not be written (errno set).
bool cgroup_kill(const std::string& dir);
/// Sends `signo` to every process in DIR and below that is not in process group `pgid` (the caller
/// signals the group itself, so no process gets the signal twice), re-reading the lists until a pass
/// finds no process it has not signalled yet (one forked meanwhile gets it too), at most 8 passes.
void cgroup_signal(const std::string& dir, int signo, pid_t pgid);
/// Writes `text` into DIR/FILE. False with errno set on failure.
bool cgroup_write(const std::string& dir, const char* file, const std::string& text);
/// Removes DIR and every cgroup below it (deepest first); they must be empty. False with errno set
/// when one could not be removed.
bool cgroup_remove(const std::string& dir);
/// Leftovers: how many processes are in DIR and below, then cgroup.kill. -1 (and *error) when the
/// kill could not be written.
int cgroup_kill_tree(const std::string& dir, std::string* error);
/// Waits (polling every 10 ms) until DIR is empty or `deadline` passes, then removes it. False and
/// *error when processes are still there or the removal failed.
bool cgroup_remove_when_empty(const std::string& dir, std::chrono::steady_clock::time_point deadline, std::string* error);

}  // namespace vigil
