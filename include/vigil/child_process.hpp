#pragma once
// Starting a child the way a supervisor must (docs/architecture.md, "Our own launcher"):
// argv only (no shell), PATH resolved before fork, its own session and process group, PDEATHSIG so it
// dies with vigil, stdin /dev/null, stdout/stderr pipes, no other inherited fd, default signal
// dispositions and an empty signal mask. Exec failures come back as an error string through a
// CLOEXEC pipe, and the failed child is reaped at once (never a zombie).
//
// Why not Boost.Process v2's launcher: in 1.81 it leaks fds (close_all off by one), calls exit() in
// the child on exec failure, leaves the failed child unreaped and cannot report rusage. We fork here
// and watch the exit through a pidfd on the Asio loop; wait4() then gives the exit status and rusage.
//
// Must be called on the event-loop thread: PDEATHSIG fires when the *thread* that forked exits.
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/exit_status.hpp"
#include "vigil/run_settings.hpp"

namespace vigil {

/// Put this entry into SpawnSpec::env to pass WATCHDOG_PID=<the child's own pid> (known only after fork).
inline constexpr const char* kWatchdogPidPlaceholder = "WATCHDOG_PID=";

struct SpawnSpec {
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // "NAME=value", complete (nothing else is inherited)
  bool stdin_pipe = false;       // true: stdin is a pipe (SpawnedChild::in_fd), else /dev/null
  RunSettings run{};             // umask, nice, limits: set in the child before exec (env_file is in env already)
  std::string cgroup{};          // a cgroup directory the child enters before exec ("": stays in vigil's)
};

struct SpawnedChild {
  pid_t pid = -1;  // also the process group id
  int pidfd = -1;  // O_CLOEXEC; readable when the child exits
  int out_fd = -1; // read end of the child's stdout pipe (CLOEXEC, non-blocking)
  int err_fd = -1; // read end of the child's stderr pipe
  int in_fd = -1;  // write end of the child's stdin pipe (CLOEXEC, blocking), with stdin_pipe
  std::string program;  // the resolved path that was executed
};

struct SpawnResult {
  std::optional<SpawnedChild> child;
  std::string error;  // set when !child: "program 'x' not found in PATH (...)", "cannot chdir to ...: ..."
};

SpawnResult spawn_child(const SpawnSpec& spec);

/// argv[0] as execve needs it: a name with '/' is taken relative to cwd; otherwise searched in PATH.
std::optional<std::string> find_program(const std::string& name, const std::string& path_env, const std::string& cwd);

/// vigil's environment minus what belongs to vigil's own manager (NOTIFY_SOCKET, WATCHDOG_*,
/// LISTEN_*, JOURNAL_STREAM, INVOCATION_ID), plus `extra` (which wins), plus VIGIL_SERVICE=<service>.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra,
                                           const std::string& service);

/// Collects a child that the pidfd said has exited. nullopt if it has not (spurious wake-up).
std::optional<ExitStatus> reap_child(pid_t pid);

/// True while any process (zombies included) is left in the process group.
bool process_group_alive(pid_t pgid);

/// Sends `signo` to the whole process group; ESRCH (already gone) is not an error.
void signal_process_group(pid_t pgid, int signo);

}  // namespace vigil
