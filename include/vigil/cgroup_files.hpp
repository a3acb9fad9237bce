#pragma once
// One cgroup v2 directory's files, read and written with plain system calls (no allocation beyond
// the returned values). Used by Containment (setting up, leftovers) and RunGroup (one run).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// The pids in DIR/cgroup.procs (this cgroup only, not its children).
std::vector<pid_t> cgroup_pids(const std::string& dir);
/// DIR/cgroup.events says a live process is in DIR or below it. nullopt: unreadable (DIR is gone).
std::optional<bool> cgroup_populated_now(const std::string& dir);
/// SIGKILL to every process in DIR and below, atomically against forks (DIR/cgroup.kill). False
/// when it could not be written (errno set).
bool cgroup_kill(const std::string& dir);
/// Sends `signo` to every process in DIR, re-reading the list until a pass finds no process it has
/// not signalled yet (a process forked meanwhile gets it too), at most 8 passes.
void cgroup_signal(const std::string& dir, int signo);
/// Writes `text` into DIR/FILE. False with errno set on failure.
bool cgroup_write(const std::string& dir, const char* file, const std::string& text);
/// Removes DIR and every cgroup below it (deepest first); they must be empty. False with errno set
/// when one could not be removed.
bool cgroup_remove(const std::string& dir);
/// cgroup.kill, then waits (polling, at most `wait_ms`) until nothing is left, then removes DIR.
/// Returns how many processes were in it; *error says what failed ("" when DIR is gone).
int cgroup_kill_and_remove(const std::string& dir, int wait_ms, std::string* error);

}  // namespace vigil
