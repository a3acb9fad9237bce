// The /proc sampler at its seam: a real process tree, sampled as the sampling thread does.
#include "vigil/proc_sampler.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "vigil/child_process.hpp"

using namespace vigil;

namespace {

struct Tree {
  SpawnedChild child;
  explicit Tree(const std::string& script) {
    SpawnSpec s;
    s.argv = {"sh", "-c", script};
    s.cwd = "/";
    s.env = child_environment({}, "adapter-test");
    SpawnResult r = spawn_child(s);
    EXPECT_TRUE(r.child) << r.error;
    if (r.child) child = *r.child;
  }
  ~Tree() {
    if (child.pid <= 0) return;
    signal_process_group(child.pid, SIGKILL);
    pollfd p{child.pidfd, POLLIN, 0};
    ::poll(&p, 1, 10'000);
    reap_child(child.pid);
    for (int fd : {child.pidfd, child.out_fd, child.err_fd}) ::close(fd);
  }
};

// Samples until `ok` holds for the first root's sample (processes start asynchronously).
TreeSample sample_until(ProcSampler& sampler, pid_t root, const std::function<bool(const TreeSample&)>& ok) {
  auto owned = [root](pid_t p) { return p == root; };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  TreeSample last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = sampler.sample({root}, owned, std::chrono::steady_clock::now()).at(0);
    if (ok(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

// Polls (10 s at most) until `ok` holds, for what the test waits on outside the sampler.
bool wait_until(const std::function<bool()>& ok) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok();
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[256] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    parse_children(std::string_view(buf, n), [&](pid_t p) { out.push_back(p); });
  }
  return out;
}

char state_of(pid_t pid) {
  auto st = read_proc_stat(pid);
  return st ? st->state : '?';
}

}  // namespace

TEST(ProcSampler, SumsTheWholeTree) {
  // sh with two children (one of them in a session of its own, which still counts).
  Tree t("sleep 30 & setsid sleep 30 & wait");
  ASSERT_GT(t.child.pid, 0);
  ProcSampler sampler;
  TreeSample s = sample_until(sampler, t.child.pid, [](const TreeSample& x) { return x.processes == 3; });
  EXPECT_EQ(s.processes, 3);
  EXPECT_GE(s.threads, 3);
  EXPECT_GT(s.memory, 0u);
  EXPECT_GE(s.fds, 3);  // at least stdin/stdout/stderr of one process
}

TEST(ProcSampler, CpuNeedsTwoSamplesAndCountsABusyChild) {
  Tree t("while :; do :; done");
  ASSERT_GT(t.child.pid, 0);
  ProcSampler sampler;
  auto owned = [&](pid_t p) { return p == t.child.pid; };
  TreeSample first = sampler.sample({t.child.pid}, owned, std::chrono::steady_clock::now()).at(0);
  EXPECT_FALSE(first.cpu) << "CPU is a difference between two samples";
  // A busy loop gets some CPU eventually even on a saturated machine; no share is asserted.
  TreeSample later = sample_until(sampler, t.child.pid, [](const TreeSample& x) { return x.cpu && *x.cpu > 0; });
  ASSERT_TRUE(later.cpu);
  EXPECT_GT(*later.cpu, 0.0);
}

TEST(ProcSampler, NoRootOrAGoneRootIsAnEmptySample) {
  ProcSampler sampler;
  auto none = [](pid_t) { return false; };
  auto samples = sampler.sample({0}, none, std::chrono::steady_clock::now());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].processes, 0);
  EXPECT_FALSE(samples[0].cpu);
  pid_t gone;
  {
    Tree t("exit 0");
    gone = t.child.pid;
  }
  samples = sampler.sample({gone}, none, std::chrono::steady_clock::now());
  EXPECT_EQ(samples[0].processes, 0);
}

// vigil is the subreaper of its services' orphans: a process whose parent exited is reparented to
// vigil (to its main thread, where the sampler looks) and still counts for the service whose session
// it belongs to. This test process plays vigil.
TEST(ProcSampler, AnOrphanAdoptedAsSubreaperCountsForItsService) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  Tree t("(sleep 30 &); sleep 30");  // the subshell exits at once: its sleep is an orphan
  // Declared after the tree, so it ends first: once the tree is killed, its orphans go to init,
  // not to this process as zombies no one reaps (later tests in this process would see them).
  struct NoLongerSubreaper {
    ~NoLongerSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  } no_longer_subreaper;
  ASSERT_GT(t.child.pid, 0);
  std::vector<pid_t> adopted;
  ASSERT_TRUE(wait_until([&] {
    adopted.clear();
    for (pid_t p : children_of(::getpid()))
      if (p != t.child.pid) adopted.push_back(p);
    return adopted.size() == 1;
  })) << "the orphan was not reparented to this process's main thread";
  ProcSampler sampler;
  TreeSample s = sample_until(sampler, t.child.pid, [](const TreeSample& x) { return x.processes == 3; });
  EXPECT_EQ(s.processes, 3) << "sh, its sleep and the adopted sleep";
  ::kill(adopted[0], SIGKILL);
  ::waitpid(adopted[0], nullptr, 0);
}

// A single-threaded process that has not run since its last full read keeps its figures for one
// small read; once it runs (here: reads a line from a FIFO and starts a child) the very next pass
// reads it in full, so the new child counts.
TEST(ProcSampler, AnIdleProcessIsReadInFullOnlyOnceItRuns) {
  char tmpl[] = "/tmp/vigil-idle-sample.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string fifo = std::string(tmpl) + "/go";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  {
    Tree t("read x < " + fifo + "; sleep 30 & read y < " + fifo);
    ASSERT_GT(t.child.pid, 0);
    ProcSampler sampler;
    TreeSample idle = sample_until(sampler, t.child.pid, [&](const TreeSample& x) {
      return x.processes == 1 && sampler.full_reads() == 0;
    });
    EXPECT_EQ(sampler.full_reads(), 0u) << "sh blocked on the FIFO has not run: nothing to read again";
    EXPECT_EQ(idle.processes, 1);
    EXPECT_GT(idle.memory, 0u) << "the remembered figures, not zeros";
    EXPECT_GE(idle.fds, 3);

    // Held open to the end: closed early, sh's second `read` could open the FIFO while it still
    // had a writer, then read EOF and exit.
    int w = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // sh has it open for reading: does not block
    ASSERT_GE(w, 0);
    ASSERT_EQ(::write(w, "go\n", 3), 3);
    ASSERT_TRUE(wait_until([&] { return children_of(t.child.pid).size() == 1; }));
    auto owned = [&](pid_t p) { return p == t.child.pid; };
    EXPECT_EQ(sampler.sample({t.child.pid}, owned, std::chrono::steady_clock::now()).at(0).processes, 2)
        << "sh ran and started sleep: read in full, its child found";
    ::close(w);
  }
  ::unlink(fifo.c_str());
  ::rmdir(tmpl);
}

// A child that ends while its parent sleeps (and so is not read again) drops out at the next pass:
// the parent's remembered children are visited and the dead one is found gone.
TEST(ProcSampler, AChildThatEndsWhileItsParentIsIdleNoLongerCounts) {
  Tree t("sleep 30 & exec sleep 1000");  // sleep never waits: its killed child stays a zombie
  ASSERT_GT(t.child.pid, 0);
  ProcSampler sampler;
  sample_until(sampler, t.child.pid, [&](const TreeSample& x) { return x.processes == 2 && sampler.full_reads() == 0; });
  ASSERT_EQ(sampler.full_reads(), 0u) << "both processes idle: their figures reused";
  std::vector<pid_t> kids = children_of(t.child.pid);
  ASSERT_EQ(kids.size(), 1u);
  ASSERT_EQ(::kill(kids[0], SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return state_of(kids[0]) == 'Z'; }));
  auto owned = [&](pid_t p) { return p == t.child.pid; };
  EXPECT_EQ(sampler.sample({t.child.pid}, owned, std::chrono::steady_clock::now()).at(0).processes, 1)
      << "the killed child no longer counts";
}

// With a cgroup, the sampler reads the cgroup's files: its process list, cpu.stat and, where the
// memory controller is on, memory.current and memory.stat. A directory holding those files the way
// the kernel writes them stands in for the cgroup here, so the figures are known (and the memory
// path is covered on hosts without the memory controller); the process listed is a real one.
TEST(ProcSampler, WithACgroupTheProcessesCpuAndMemoryAreTheCgroups) {
  Tree t("sleep 30");
  ASSERT_GT(t.child.pid, 0);
  char tmpl[] = "/tmp/vigil-cgroup-sample.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto put = [&](const char* name, const std::string& text) {
    FILE* f = std::fopen((dir + "/" + name).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  put("cgroup.procs", std::to_string(t.child.pid) + "\n");
  put("cpu.stat", "usage_usec 1000000\nuser_usec 800000\nsystem_usec 200000\n");
  put("memory.current", "50000000\n");
  put("memory.stat", "anon 30000000\ninactive_file 20000000\n");
  ProcSampler sampler;
  auto owned = [&](pid_t p) { return p == t.child.pid; };
  auto t0 = std::chrono::steady_clock::now();
  TreeSample first = sampler.sample({t.child.pid}, {dir}, owned, t0).at(0);
  EXPECT_EQ(first.processes, 1);
  EXPECT_EQ(first.memory, 30000000u) << "memory.current minus inactive_file";
  EXPECT_FALSE(first.cpu) << "CPU is a difference between two samples";
  EXPECT_DOUBLE_EQ(first.cpu_seconds, 1.0) << "the run's first look counts all it used so far";

  put("cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");  // 0.5 s more, 1 s later
  TreeSample second = sampler.sample({t.child.pid}, {dir}, owned, t0 + std::chrono::seconds(1)).at(0);
  ASSERT_TRUE(second.cpu);
  EXPECT_DOUBLE_EQ(*second.cpu, 50.0);
  EXPECT_DOUBLE_EQ(second.cpu_seconds, 0.5);

  // Without the memory controller (no memory.current) memory is the listed processes' RSS.
  std::remove((dir + "/memory.current").c_str());
  std::remove((dir + "/memory.stat").c_str());
  Tree other("sleep 30");
  ASSERT_GT(other.child.pid, 0);
  put("cgroup.procs", std::to_string(other.child.pid) + "\n");
  TreeSample third;
  for (int i = 0; i < 500 && third.memory == 0; ++i) {  // a process fresh from exec may not have faulted a page in yet
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    third = sampler.sample({other.child.pid}, {dir}, owned, t0 + std::chrono::seconds(2 + i)).at(0);
  }
  EXPECT_EQ(third.processes, 1);
  EXPECT_GT(third.memory, 0u);
  EXPECT_NE(third.memory, 30000000u);
  for (const char* f : {"cgroup.procs", "cpu.stat"}) std::remove((dir + "/" + f).c_str());
  ::rmdir(dir.c_str());
}
