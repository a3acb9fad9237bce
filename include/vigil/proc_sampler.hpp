#pragma once
// Samples each service's whole process tree from /proc: CPU (% of one core over the last interval),
// RSS, threads and open fds, summed over the main process and every descendant — including
// descendants that changed session, and orphans vigil adopted as subreaper (matched by session).
// A process that exits between listing and reading is simply skipped.
//
// Runs on the sampling thread; keeps each seen process's stat and children files open between
// passes and reads /proc with a fixed buffer, so one pass does no per-process heap allocation
// once its tables have grown.
//
// A single-threaded process that has not run since its last full read (schedstat's run time, in
// nanoseconds, unchanged) cannot have used CPU, forked, opened fds or grown: its figures are
// reused for one small read instead of three. Only reclaim can change such a process's memory,
// so every kFullReadEvery-th pass reads it in full anyway. Most services idle most seconds; a
// process that runs each pass pays one small read more.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/proc_parse.hpp"
#include "vigil/samples.hpp"

namespace vigil {

/// /proc/PID/stat of one process (pid attribution on the loop: a handful of reads, rarely).
std::optional<ProcStat> read_proc_stat(pid_t pid);

class ProcSampler {
 public:
  /// Passes after which an idle process's figures are read in full again.
  static constexpr unsigned kFullReadEvery = 10;

  ProcSampler();
  ~ProcSampler();
  ProcSampler(const ProcSampler&) = delete;
  ProcSampler& operator=(const ProcSampler&) = delete;

  /// One pass: `roots[i]` is service i's main pid (0 = not running → empty sample).
  /// `owned(pid)` tells vigil's own main children apart from adopted orphans.
  std::vector<TreeSample> sample(const std::vector<pid_t>& roots, const std::function<bool(pid_t)>& owned,
                                 std::chrono::steady_clock::time_point now);
  /// The same, where `cgroups[i]`, when not "", is service i's cgroup (containment.hpp). Its
  /// processes are then exactly those in the cgroup, so one that left the tree (setsid and a double
  /// fork) still counts; CPU is the cgroup's own usage (exact: what processes that exited between two
  /// passes used counts too), and memory its working set when the memory controller is on.
  std::vector<TreeSample> sample(const std::vector<pid_t>& roots, const std::vector<std::string>& cgroups,
                                 const std::function<bool(pid_t)>& owned, std::chrono::steady_clock::time_point now);

  /// Processes read in full (stat, children, fds) by the last pass; the others' figures were reused.
  std::size_t full_reads() const { return full_reads_; }

 private:
  struct Seen {
    std::uint64_t starttime;
    std::uint64_t ticks;
  };
  struct History {
    pid_t root = 0;
    std::chrono::steady_clock::time_point at{};
    std::unordered_map<pid_t, Seen> procs;
    std::optional<std::uint64_t> cgroup_usec;  // the cgroup's cpu.stat usage_usec at `at`
  };

  struct OpenProc {
    int stat_fd = -1;
    int children_fd = -1;  // the main thread's children list
    int fd_dir = -1;       // /proc/PID/fd, O_PATH: its size is the number of open fds
    int sched_fd = -1;     // /proc/PID/schedstat, opened once the process looks idle (-2: cannot be)
    unsigned pass = 0;     // the last pass that visited this process
    // What the last full read found, reused while the process does not run (see walk()).
    bool seen = false;     // stat, fds and children hold a full read's figures
    bool known = false;    // ran_ns too: the figures may be reused while it stays the same
    unsigned read_pass = 0;
    std::uint64_t ran_ns = 0;  // schedstat's run time at that read
    ProcStat stat;
    std::int64_t fds = 0;
    std::vector<pid_t> children;
  };
  // A process to visit; `parent` is set when its pid came from a parent's remembered children
  // list rather than one read this pass (it must still be that parent's child).
  struct Visit {
    pid_t pid;
    pid_t parent;
  };

  bool read_file(const char* path, std::size_t* len);
  bool read_fd(int fd, std::size_t* len);
  bool read_stat(pid_t pid, ProcStat* st, OpenProc** kept);
  void read_children(int fd, std::vector<pid_t>& out);
  OpenProc* open_proc(pid_t pid);
  void forget(pid_t pid);
  static void close_open(OpenProc& o);
  std::int64_t count_fds(pid_t pid, const OpenProc* kept);
  template <class OnEntry>
  void each_entry(const char* dir, OnEntry&& on_entry);
  void children_of(pid_t pid, std::int64_t threads, const OpenProc* kept, std::vector<pid_t>& out);
  std::optional<std::uint64_t> run_time(OpenProc& o, pid_t pid);
  void remember(OpenProc& o, pid_t pid, const ProcStat& st, std::optional<std::uint64_t> ran, std::int64_t fds,
                const std::vector<pid_t>& children);
  void walk(pid_t pid, TreeSample& out, History& next, const History* prev, bool& any_prev, bool children = true);
  // A run's cgroup files, kept open across passes like the /proc files (three opens per service per
  // pass would cost more than the walk they replace). Keyed by directory; a new root pid means a new
  // run, whose cgroup is a new directory under the same name: opened afresh.
  struct OpenCgroup {
    pid_t root = 0;
    int procs = -1, cpu = -1, memory = -1, memory_stat = -1;
    unsigned pass = 0;
  };
  OpenCgroup& open_cgroup(const std::string& dir, pid_t root);
  static void close_cgroup(OpenCgroup& c);
  void cgroup_procs(const OpenCgroup& c, std::vector<pid_t>& out);
  void cgroup_figures(const OpenCgroup& c, TreeSample& out, History& next, const History* prev);

  long ticks_per_second_;
  long page_size_;
  char buf_[8192];
  std::vector<Visit> stack_;
  std::vector<pid_t> tids_, mine_, kids_;
  std::vector<History> history_;  // per root index, from the previous pass
  std::unordered_map<pid_t, OpenProc> open_;  // processes seen in the last pass, files kept open
  std::unordered_map<std::string, OpenCgroup> open_cgroups_;  // cgroups seen in the last pass
  std::vector<pid_t> cgroup_pids_;
  std::size_t open_budget_ = 0;
  int self_children_fd_ = -1;  // vigil's own main thread's children: services and adopted orphans
  unsigned pass_ = 0;
  std::size_t full_reads_ = 0;
};

}  // namespace vigil
