#include "vigil/child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include "vigil/fd_limit.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

extern char** environ;

namespace vigil {
namespace {

// The child's stack: it runs a few system calls before exec (glibc's posix_spawn uses 32 KiB).
constexpr std::size_t kChildStackSize = 64 * 1024;

// What the child reports through the exec-error pipe before it _exit()s.
struct ChildFailure {
  int stage;  // 1 chdir, 2 dup2, 3 exec, 4 nice, 5 a limit (index: which), 6 entering the cgroup
  int err;
  int index;
};

bool is_executable_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Everything the child needs, prepared by the parent: between the clone and exec only
// async-signal-safe system calls on this (no allocation, no logging, no locks).
struct ChildArgs {
  const SpawnSpec* spec;
  const char* program;
  char* const* argv;
  char* const* envp;
  char* watchdog_digits;  // in the parent's WATCHDOG_PID=... entry, or null
  pid_t parent;
  int cgroup_procs, stdin_fd, out_fd, err_fd, status_fd;
};

[[noreturn]] void child_failed(const ChildArgs& a, int stage, int index = -1) {
  ChildFailure f{stage, errno, index};
  (void)!::write(a.status_fd, &f, sizeof f);
  ::_exit(127);
}

// The child, on its own small stack in vigil's memory (CLONE_VM | CLONE_VFORK: the parent thread
// waits until exec). Everything it changes is its own: file descriptors, signal dispositions, cwd,
// umask and limits are per process without CLONE_FILES/SIGHAND/FS; only errno is shared.
int child_main(void* arg) {
  const ChildArgs& a = *static_cast<const ChildArgs*>(arg);
  const SpawnSpec& spec = *a.spec;
  ::setsid();
  if (a.cgroup_procs >= 0 && ::write(a.cgroup_procs, "0", 1) != 1) child_failed(a, 6);
  if (a.watchdog_digits) {
    char rev[16];
    int n = 0;
    for (pid_t p = ::getpid(); p > 0; p /= 10) rev[n++] = static_cast<char>('0' + p % 10);
    for (int i = 0; i < n; ++i) a.watchdog_digits[i] = rev[n - 1 - i];
    a.watchdog_digits[n] = 0;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != a.parent) ::_exit(127);  // vigil died before PDEATHSIG was armed
  // Default dispositions and an empty mask, by raw system calls: a sanitizer's sigaction and
  // sigprocmask keep their own tables in memory this child shares with vigil (CLONE_VM), and through
  // them the child would change vigil's signal handling (under TSan, SIGTERM stopped reaching it).
  // All zero is SIG_DFL, no flags, an empty mask, whatever the architecture's field order.
  const unsigned long default_action[4] = {};
  const std::uint64_t no_signals = 0;
  for (int s = 1; s < NSIG; ++s) ::syscall(SYS_rt_sigaction, s, default_action, nullptr, sizeof no_signals);
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, nullptr, sizeof no_signals);
  if (::dup2(a.stdin_fd, 0) < 0 || ::dup2(a.out_fd, 1) < 0 || ::dup2(a.err_fd, 2) < 0) child_failed(a, 2);
  if (::chdir(spec.cwd.c_str()) < 0) child_failed(a, 1);
  restore_fd_limit_for_child();
  // The run settings (config_run.cpp checked their ranges): plain system calls, no allocation.
  if (spec.run.umask >= 0) ::umask(static_cast<mode_t>(spec.run.umask));
  if (spec.run.has_nice && ::setpriority(PRIO_PROCESS, 0, spec.run.nice) < 0) child_failed(a, 4);
  for (std::size_t i = 0; i < spec.run.limits.size(); ++i) {
    struct rlimit rl {spec.run.limits[i].value, spec.run.limits[i].value};
    if (::setrlimit(static_cast<__rlimit_resource_t>(spec.run.limits[i].resource), &rl) < 0)
      child_failed(a, 5, static_cast<int>(i));
  }
  // Whatever vigil has open (log files, hiredis sockets, the control socket...) closes at exec.
  ::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  ::execve(a.program, a.argv, a.envp);
  child_failed(a, 3);
}

}  // namespace

std::optional<std::string> find_program(const std::string& name, const std::string& path_env, const std::string& cwd) {
  if (name.find('/') != std::string::npos) {
    std::string p = name[0] == '/' ? name : (std::filesystem::path(cwd) / name).lexically_normal().string();
    if (is_executable_file(p)) return p;
    return std::nullopt;
  }
  std::string path = path_env.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_env;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (dir[0] != '/') dir = (std::filesystem::path(cwd) / dir).string();
    std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra,
                                           const std::string& service) {
  static const char* const kDropped[] = {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS",
                                         "LISTEN_PID",    "LISTEN_FDNAMES", "JOURNAL_STREAM", "INVOCATION_ID",
                                         "VIGIL_SERVICE"};
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::string_view name = kv.substr(0, kv.find('='));
    bool drop = false;
    for (const char* d : kDropped) drop |= name == d;
    for (const auto& [k, v] : extra) drop |= name == k;
    if (!drop) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  env.push_back("VIGIL_SERVICE=" + service);
  return env;
}

SpawnResult spawn_child(const SpawnSpec& spec) {
  SpawnResult r;
  std::string path_env;
  for (const auto& kv : spec.env)
    if (kv.rfind("PATH=", 0) == 0) path_env = kv.substr(5);
  auto program = find_program(spec.argv[0], path_env, spec.cwd);
  if (!program) {
    if (spec.argv[0].find('/') != std::string::npos)
      r.error = "program '" + spec.argv[0] + "' does not exist or is not executable (cwd " + spec.cwd + ")";
    else
      r.error = "program '" + spec.argv[0] + "' not found in PATH (" + (path_env.empty() ? "unset" : path_env) + ")";
    return r;
  }

  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // WATCHDOG_PID must be the child's own pid: reserve room now, the child writes the digits.
  char watchdog_pid[32] = "WATCHDOG_PID=";
  char* watchdog_digits = nullptr;
  for (const auto& e : spec.env) {
    if (e == kWatchdogPidPlaceholder) {
      envp.push_back(watchdog_pid);
      watchdog_digits = watchdog_pid + std::strlen(watchdog_pid);
    } else {
      envp.push_back(const_cast<char*>(e.c_str()));
    }
  }
  envp.push_back(nullptr);

  // The child moves itself into its cgroup before exec, so that its first instruction already runs
  // there and nothing it forks can start outside.
  int cgroup_procs = -1;
  if (!spec.cgroup.empty()) {
    cgroup_procs = ::open((spec.cgroup + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (cgroup_procs < 0) {
      r.error = "cannot open " + spec.cgroup + "/cgroup.procs: " + std::strerror(errno);
      return r;
    }
  }
  int out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1}, in[2] = {-1, -1};
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0 || ::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0 || ::pipe2(status, O_CLOEXEC) < 0 ||
      (spec.stdin_pipe && ::pipe2(in, O_CLOEXEC) < 0)) {
    r.error = std::string("cannot create pipes: ") + std::strerror(errno);
    for (int* fd : {&cgroup_procs, &devnull, &out[0], &out[1], &err[0], &err[1], &status[0], &status[1], &in[0], &in[1]}) close_fd(*fd);
    return r;
  }
  int child_stdin = spec.stdin_pipe ? in[0] : devnull;

  // Block every signal across the clone so no handler of vigil's (Asio's signal pipe) can run in the child
  // before it resets dispositions.
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  // Not fork(): copying vigil's page tables, and the copy-on-write faults after it, made a restart
  // cost several times what the child's own start does. The parent thread sleeps until the exec
  // (CLONE_VFORK), as glibc's posix_spawn does, which cannot put the child in a cgroup or set
  // PDEATHSIG and limits.
  ChildArgs args{&spec, program->c_str(), argv.data(), envp.data(), watchdog_digits, ::getpid(),
                 cgroup_procs, child_stdin, out[1], err[1], status[1]};
#if defined(__SANITIZE_THREAD__)
  // TSan takes clone() for fork() and, with CLONE_VM, its bookkeeping in the child lands in vigil's
  // memory: vigil would take itself for a forked child and refuse to start threads. A real fork there.
  pid_t pid = ::fork();
  if (pid == 0) child_main(&args);
#else
  alignas(16) char child_stack[kChildStackSize];
  pid_t pid = ::clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
#if defined(__SANITIZE_ADDRESS__)
  // The child's frames marked their redzones in this array's shadow and, as it never returns,
  // nothing cleared them: later frames of this thread would be reported as overflows.
  ASAN_UNPOISON_MEMORY_REGION(child_stack, sizeof child_stack);
#endif
#endif
  int clone_errno = pid < 0 ? errno : 0;  // the child shares errno: only a failed clone's is ours
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close_fd(devnull);
  close_fd(cgroup_procs);
  close_fd(out[1]);
  close_fd(err[1]);
  close_fd(status[1]);
  close_fd(in[0]);
  if (pid < 0) {
    r.error = std::string("cannot start a process (clone): ") + std::strerror(clone_errno);
    for (int* fd : {&out[0], &err[0], &status[0], &in[1]}) close_fd(*fd);
    return r;
  }

  // Returns at exec (the pipe closes) or with the child's failure report; either way within
  // microseconds, so this short read on the loop is bounded.
  ChildFailure f{};
  ssize_t n;
  do n = ::read(status[0], &f, sizeof f);
  while (n < 0 && errno == EINTR);
  close_fd(status[0]);
  if (n == static_cast<ssize_t>(sizeof f)) {
    int ws;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    if (f.stage == 4) {
      r.error = "cannot set nice " + std::to_string(spec.run.nice) + ": " + std::strerror(f.err);
    } else if (f.stage == 5 && f.index >= 0 && static_cast<std::size_t>(f.index) < spec.run.limits.size()) {
      const ResourceLimit& l = spec.run.limits[static_cast<std::size_t>(f.index)];
      r.error = "cannot set limits." + std::string(limit_name(l.resource)) + " = " +
                (l.value == RLIM_INFINITY ? std::string("infinity") : std::to_string(l.value)) + ": " +
                std::strerror(f.err);
    } else if (f.stage == 6) {
      r.error = "cannot move into cgroup " + spec.cgroup + ": " + std::strerror(f.err);
    } else {
      const char* what = f.stage == 1 ? "cannot chdir to " : f.stage == 2 ? "cannot set up stdio for " : "cannot execute ";
      r.error = std::string(what) + (f.stage == 1 ? spec.cwd : *program) + ": " + std::strerror(f.err);
    }
    close_fd(out[0]);
    close_fd(err[0]);
    close_fd(in[1]);
    return r;
  }

  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // Without a pidfd we could never notice the exit: do not leave an unwatched child behind.
    int e = errno;
    ::kill(-pid, SIGKILL);
    int ws;
    ::waitpid(pid, &ws, 0);
    r.error = std::string("pidfd_open failed: ") + std::strerror(e);
    close_fd(out[0]);
    close_fd(err[0]);
    close_fd(in[1]);
    return r;
  }
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  // A larger stdout pipe lets a chatty child run ahead between vigil's reads (fewer wake-ups per
  // megabyte). Pages are only used while data waits in it; best effort (pipe-max-size may be lower).
  ::fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
  r.child = SpawnedChild{pid, pidfd, out[0], err[0], in[1], *program};
  return r;
}

std::optional<ExitStatus> reap_child(pid_t pid) {
  int ws = 0;
  struct rusage ru {};
  pid_t got;
  do got = ::wait4(pid, &ws, WNOHANG, &ru);
  while (got < 0 && errno == EINTR);
  if (got != pid) return std::nullopt;
  ExitStatus e = ExitStatus::from_wait_status(ws);
  e.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  // At exec the kernel folds the old address space's peak into the child's (exec_mmap), and until
  // exec that was vigil's own (CLONE_VM; with fork, a copy of it): a figure up to vigil's own peak
  // may be vigil's, so it is not told (0). Above it, it is the program's own.
  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  e.max_rss = ru.ru_maxrss > self.ru_maxrss ? static_cast<std::uint64_t>(ru.ru_maxrss) * 1024 : 0;
  return e;
}

bool process_group_alive(pid_t pgid) {
  if (pgid <= 0) return false;
  return ::kill(-pgid, 0) == 0 || errno == EPERM;
}

void signal_process_group(pid_t pgid, int signo) {
  if (pgid > 0) ::kill(-pgid, signo);
}

}  // namespace vigil
