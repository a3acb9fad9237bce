// The launcher at its seam: real children, real pidfds, real wait4.
#include "vigil/child_process.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace vigil;

namespace {

// Everything the fd holds until EOF (the child's pipe is non-blocking: wait for readability).
std::string read_all(int fd) {
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) return out + "<timeout>";
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    else if (n == 0) return out;
  }
}

// Waits for the pidfd to say "exited", then collects the status.
ExitStatus wait_exit(const SpawnedChild& c) {
  pollfd p{c.pidfd, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 10'000), 1) << "child did not exit";
  auto st = reap_child(c.pid);
  EXPECT_TRUE(st);
  return st.value_or(ExitStatus{});
}

void close_fds(const SpawnedChild& c) {
  for (int fd : {c.pidfd, c.out_fd, c.err_fd, c.in_fd})
    if (fd >= 0) ::close(fd);
}

SpawnSpec sh(const std::string& script) {
  SpawnSpec s;
  s.argv = {"sh", "-c", script};
  s.cwd = "/";
  s.env = child_environment({}, "adapter-test");
  return s;
}

}  // namespace

TEST(ChildProcess, SpawnsReadsOutputAndReportsExitWithRusage) {
  // Burn a little CPU and memory so rusage has something to say.
  SpawnResult r = spawn_child(sh("echo out; echo err >&2; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3"));
  ASSERT_TRUE(r.child) << r.error;
  EXPECT_EQ(::getpgid(r.child->pid), r.child->pid) << "the child leads its own process group";
  EXPECT_EQ(read_all(r.child->out_fd), "out\n");
  EXPECT_EQ(read_all(r.child->err_fd), "err\n");
  ExitStatus st = wait_exit(*r.child);
  EXPECT_FALSE(st.signaled);
  EXPECT_EQ(st.code, 3);
  EXPECT_GT(st.cpu_seconds, 0.0);
  // A shell smaller than this test process: the kernel's figure would be the parent's peak.
  EXPECT_EQ(st.max_rss, 0u) << "not known: no more than the parent's own peak";
  EXPECT_EQ(st.describe(), "exited with status 3");
  close_fds(*r.child);
}

TEST(ChildProcess, APeakAboveTheParentsIsTheChildsOwn) {
  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  std::uint64_t parent_peak = static_cast<std::uint64_t>(self.ru_maxrss) * 1024;
  std::uint64_t want = parent_peak + (64u << 20);  // touches 64 MiB more than this process ever had
  SpawnSpec s;
  s.argv = {"python3", "-c", "import sys; b = bytearray(int(sys.argv[1])); b[::4096] = b'x' * len(b[::4096])",
            std::to_string(want)};
  s.cwd = "/";
  s.env = child_environment({}, "adapter-test");
  SpawnResult r = spawn_child(s);
  ASSERT_TRUE(r.child) << r.error;
  ExitStatus st = wait_exit(*r.child);
  close_fds(*r.child);
  EXPECT_EQ(st.code, 0);
  EXPECT_GE(st.max_rss, want);
  EXPECT_LT(st.max_rss, want + (64u << 20)) << "the child's own peak, not the parent's added";
}

TEST(ChildProcess, ASignalDeathIsNotAnExitCode) {
  SpawnResult r = spawn_child(sh("kill -TERM $$; sleep 5"));
  ASSERT_TRUE(r.child) << r.error;
  ExitStatus st = wait_exit(*r.child);
  EXPECT_TRUE(st.signaled);
  EXPECT_EQ(st.signal, SIGTERM);
  close_fds(*r.child);
}

TEST(ChildProcess, ExecFailureIsAnErrorAndLeavesNoChild) {
  SpawnSpec s = sh("");
  s.argv = {"vigil-no-such-program-xyz"};
  SpawnResult r = spawn_child(s);
  EXPECT_FALSE(r.child);
  EXPECT_NE(r.error.find("vigil-no-such-program-xyz"), std::string::npos) << r.error;
  s = sh("true");
  s.cwd = "/nonexistent-dir-for-vigil";
  r = spawn_child(s);
  EXPECT_FALSE(r.child);
  EXPECT_NE(r.error.find("/nonexistent-dir-for-vigil"), std::string::npos) << r.error;
  // The failed child was reaped by the launcher: nothing is left to wait for.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
}

// The child writes "0" into the cgroup's cgroup.procs before exec (here a plain file stands in for
// it, so the write is seen); a cgroup that cannot be entered is a spawn error naming it.
TEST(ChildProcess, TheChildEntersItsCgroupBeforeExec) {
  char tmpl[] = "/tmp/vigil-cgroup-enter.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  { FILE* f = std::fopen((dir + "/cgroup.procs").c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  SpawnSpec s = sh("exit 0");
  s.cgroup = dir;
  SpawnResult r = spawn_child(s);
  ASSERT_TRUE(r.child) << r.error;
  EXPECT_TRUE(wait_exit(*r.child).success());
  close_fds(*r.child);
  FILE* f = std::fopen((dir + "/cgroup.procs").c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[8] = {};
  EXPECT_EQ(std::fread(buf, 1, sizeof buf - 1, f), 1u);
  std::fclose(f);
  EXPECT_STREQ(buf, "0");
  std::remove((dir + "/cgroup.procs").c_str());
  ::rmdir(dir.c_str());

  s.cgroup = dir + "/gone";
  r = spawn_child(s);
  EXPECT_FALSE(r.child);
  EXPECT_NE(r.error.find(dir + "/gone/cgroup.procs"), std::string::npos) << r.error;
}

TEST(ChildProcess, OnlyStdioIsInherited) {
  int leaked = ::dup(2);  // an fd vigil holds without CLOEXEC
  ASSERT_GE(leaked, 0);
  SpawnResult r = spawn_child(sh("ls /proc/self/fd"));
  ::close(leaked);
  ASSERT_TRUE(r.child) << r.error;
  // 0, 1, 2 and the directory ls itself opened to list them.
  std::string out = read_all(r.child->out_fd);
  int lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, 4) << out;
  EXPECT_EQ(wait_exit(*r.child).code, 0);
  close_fds(*r.child);
}

TEST(ChildProcess, TheWholeGroupIsSignalledAndSeenGone) {
  // The child leaves a grandchild in its group, says so, then waits.
  SpawnResult r = spawn_child(sh("sleep 30 & echo started; wait"));
  ASSERT_TRUE(r.child) << r.error;
  std::string said;
  while (said.find('\n') == std::string::npos) {
    pollfd p{r.child->out_fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10'000), 1);
    char buf[64];
    ssize_t n = ::read(r.child->out_fd, buf, sizeof buf);
    ASSERT_GT(n, 0);
    said.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(said, "started\n");
  EXPECT_TRUE(process_group_alive(r.child->pid));
  signal_process_group(r.child->pid, SIGKILL);
  ExitStatus st = wait_exit(*r.child);
  EXPECT_TRUE(st.signaled);
  // The grandchild was killed too; it is reparented (to us or init) and reaped there.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (process_group_alive(r.child->pid) && std::chrono::steady_clock::now() < deadline) {
    ::waitpid(-1, nullptr, WNOHANG);
    ::usleep(10'000);
  }
  EXPECT_FALSE(process_group_alive(r.child->pid));
  signal_process_group(r.child->pid, SIGTERM);  // already gone: not an error
  close_fds(*r.child);
}

TEST(ChildProcess, EnvironmentDropsTheManagersVariables) {
  ::setenv("NOTIFY_SOCKET", "/run/x", 1);
  ::setenv("VIGIL_ADAPTER_KEEP", "1", 1);
  auto env = child_environment({{"EXTRA", "yes"}}, "svc");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("VIGIL_ADAPTER_KEEP");
  auto has = [&](const std::string& e) { return std::find(env.begin(), env.end(), e) != env.end(); };
  EXPECT_TRUE(has("VIGIL_ADAPTER_KEEP=1"));
  EXPECT_TRUE(has("EXTRA=yes"));
  EXPECT_TRUE(has("VIGIL_SERVICE=svc"));
  for (const auto& e : env) EXPECT_NE(e.rfind("NOTIFY_SOCKET=", 0), 0u) << e;
}

TEST(ChildProcess, TheChildStartsWithDefaultSignalsAndVigilKeepsItsOwn) {
  // vigil's own: a signal ignored and one blocked in the spawning thread.
  struct sigaction ignore {}, before {}, after {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &before), 0);
  sigset_t usr1, old_mask, mask_after;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask), 0);

  // An ignored disposition and the mask survive exec: the launcher resets both in the child.
  SpawnSpec s;
  s.argv = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"};
  s.cwd = "/";
  s.env = child_environment({}, "adapter-test");
  SpawnResult r = spawn_child(s);
  ASSERT_TRUE(r.child) << r.error;
  std::string out = read_all(r.child->out_fd);
  wait_exit(*r.child);
  close_fds(*r.child);
  EXPECT_NE(out.find("SigBlk:\t0000000000000000"), std::string::npos) << out;
  EXPECT_NE(out.find("SigIgn:\t0000000000000000"), std::string::npos) << out;

  // The child shares vigil's memory until exec: none of that may have changed vigil's side.
  ASSERT_EQ(::sigaction(SIGUSR2, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, SIG_IGN);
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old_mask, &mask_after), 0);
  EXPECT_EQ(sigismember(&mask_after, SIGUSR1), 1);
  ::sigaction(SIGUSR2, &before, nullptr);
}
