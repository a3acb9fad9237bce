#include "vigil/proc_sampler.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "vigil/cgroup_parse.hpp"
#include "vigil/clock.hpp"
#include "vigil/proc_parse.hpp"

namespace vigil {

namespace {

// Closes and forgets the files of what a pass did not visit: those processes exited, those runs ended.
template <class Map, class Close>
void drop_unvisited(Map& kept, unsigned pass, Close close) {
  for (auto it = kept.begin(); it != kept.end();) {
    if (it->second.pass == pass) {
      ++it;
      continue;
    }
    close(it->second);
    it = kept.erase(it);
  }
}

}  // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  ProcStat st;
  if (n <= 0 || !parse_proc_stat(std::string_view(buf, static_cast<std::size_t>(n)), &st)) return std::nullopt;
  return st;
}

ProcSampler::ProcSampler()
    : ticks_per_second_(::sysconf(_SC_CLK_TCK)), page_size_(::sysconf(_SC_PAGESIZE)) {
  // Each kept process holds four fds; keep at most a quarter of the fd limit this way so services
  // and clients always have room (past the budget, files are opened per read as before).
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0)
    open_budget_ = lim.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<std::size_t>(lim.rlim_cur / 16);
  // Orphans go to vigil's main thread: the kernel hands them to the subreaper's first living
  // thread, its leader, which is also the thread that starts services. One list, kept open.
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", ::getpid(), ::getpid());
  self_children_fd_ = ::open(path, O_RDONLY | O_CLOEXEC);
}

ProcSampler::~ProcSampler() {
  if (self_children_fd_ >= 0) ::close(self_children_fd_);
  for (auto& [pid, o] : open_) close_open(o);
  for (auto& [dir, c] : open_cgroups_) close_cgroup(c);
}

void ProcSampler::close_cgroup(OpenCgroup& c) {
  for (int* fd : {&c.procs, &c.cpu, &c.memory, &c.memory_stat}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

ProcSampler::OpenCgroup& ProcSampler::open_cgroup(const std::string& dir, pid_t root) {
  OpenCgroup& c = open_cgroups_[dir];
  if (c.root != root || c.procs < 0) {  // a new run, or files that could not be opened last time
    close_cgroup(c);
    c.root = root;
    auto open = [&](const char* name) { return ::open((dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC); };
    c.procs = open("cgroup.procs");
    c.cpu = open("cpu.stat");
    c.memory = open("memory.current");  // only with the memory controller
    c.memory_stat = c.memory >= 0 ? open("memory.stat") : -1;
  }
  c.pass = pass_;
  return c;
}

void ProcSampler::cgroup_procs(const OpenCgroup& c, std::vector<pid_t>& out) {
  out.clear();
  if (c.procs >= 0) read_children(c.procs, out);  // in chunks: one read of cgroup.procs returns a page at most
}

void ProcSampler::close_open(OpenProc& o) {
  if (o.stat_fd >= 0) ::close(o.stat_fd);
  if (o.children_fd >= 0) ::close(o.children_fd);
  if (o.fd_dir >= 0) ::close(o.fd_dir);
  if (o.sched_fd >= 0) ::close(o.sched_fd);
  o.stat_fd = o.children_fd = o.fd_dir = o.sched_fd = -1;
}

bool ProcSampler::read_file(const char* path, std::size_t* len) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = read_fd(fd, len);
  ::close(fd);
  return ok;
}

// Reading from offset 0 makes the kernel generate the text anew, so one open fd serves every pass.
bool ProcSampler::read_fd(int fd, std::size_t* len) {
  ssize_t n = ::pread(fd, buf_, sizeof buf_ - 1, 0);
  if (n <= 0) return false;
  buf_[n] = 0;
  *len = static_cast<std::size_t>(n);
  return true;
}

// Keeping a process's stat and children files open saves two path lookups and two opens per
// process per pass — most of a pass. An fd names one process, not a pid number: once that
// process is gone, reads fail with ESRCH and the entry is dropped, so a reused pid is never
// mistaken for the old process (it is opened afresh by path).
ProcSampler::OpenProc* ProcSampler::open_proc(pid_t pid) {
  auto it = open_.find(pid);
  if (it != open_.end()) {
    it->second.pass = pass_;
    return &it->second;
  }
  if (open_.size() >= open_budget_) return nullptr;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  OpenProc o;
  o.stat_fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (o.stat_fd < 0) return nullptr;
  std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
  o.children_fd = ::open(path, O_RDONLY | O_CLOEXEC);
  std::snprintf(path, sizeof path, "/proc/%d/fd", pid);
  o.fd_dir = ::open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  o.pass = pass_;
  return &open_.emplace(pid, o).first->second;
}

void ProcSampler::forget(pid_t pid) {
  auto it = open_.find(pid);
  if (it == open_.end()) return;
  close_open(it->second);
  open_.erase(it);
}

bool ProcSampler::read_stat(pid_t pid, ProcStat* st, OpenProc** kept) {
  std::size_t len = 0;
  if (OpenProc* o = open_proc(pid)) {
    if (read_fd(o->stat_fd, &len) && parse_proc_stat(std::string_view(buf_, len), st)) {
      *kept = o;
      return true;
    }
    forget(pid);  // that process is gone; the pid may already name another one
    *kept = open_proc(pid);
    return *kept && read_fd((*kept)->stat_fd, &len) && parse_proc_stat(std::string_view(buf_, len), st);
  }
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  return read_file(path, &len) && parse_proc_stat(std::string_view(buf_, len), st);
}

// Calls on_entry(name) for every entry of a directory except "." and "..", via getdents64 into buf_.
template <class OnEntry>
void ProcSampler::each_entry(const char* dir, OnEntry&& on_entry) {
  int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  for (;;) {
    long n = ::syscall(SYS_getdents64, fd, buf_, sizeof buf_);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: ino (8) off (8) reclen (2) type (1) name
      unsigned short reclen;
      std::memcpy(&reclen, buf_ + off + 16, sizeof reclen);
      const char* name = buf_ + off + 19;
      if (name[0] != '.') on_entry(name);
      off += reclen;
    }
  }
  ::close(fd);
}

void ProcSampler::children_of(pid_t pid, std::int64_t threads, const OpenProc* kept, std::vector<pid_t>& out) {
  char path[64];
  tids_.clear();
  if (threads == 1) {
    tids_.push_back(pid);
  } else {
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    each_entry(path, [&](const char* name) { tids_.push_back(static_cast<pid_t>(std::atoi(name))); });
  }
  for (pid_t tid : tids_) {
    if (tid == pid && kept && kept->children_fd >= 0) {
      read_children(kept->children_fd, out);
    } else {
      std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, tid);
      int fd = ::open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      read_children(fd, out);
      ::close(fd);
    }
  }
}

// A children list can outgrow the buffer (vigil's own, with a thousand services and 7-digit pids):
// read it in chunks, carrying a pid cut at a chunk's end over to the next.
void ProcSampler::read_children(int fd, std::vector<pid_t>& out) {
  std::size_t carry = 0;
  for (off_t off = 0;;) {
    ssize_t n = ::pread(fd, buf_ + carry, sizeof buf_ - carry, off);
    if (n <= 0) break;
    off += n;
    std::size_t end = carry + static_cast<std::size_t>(n);
    std::size_t cut = end;
    while (cut > 0 && buf_[cut - 1] >= '0' && buf_[cut - 1] <= '9') --cut;  // a pid may go on
    parse_children(std::string_view(buf_, cut), [&](pid_t c) { out.push_back(c); });
    carry = end - cut;
    std::memmove(buf_, buf_ + cut, carry);
  }
  if (carry > 0) parse_children(std::string_view(buf_, carry), [&](pid_t c) { out.push_back(c); });
}

std::int64_t ProcSampler::count_fds(pid_t pid, const OpenProc* kept) {
  // Since Linux 6.2 the size of /proc/PID/fd is its number of open fds: one stat instead of
  // listing the folder (which was a third of a pass at 1,000 services). Older kernels say 0.
  struct stat st;
  if (kept && kept->fd_dir >= 0 && ::fstat(kept->fd_dir, &st) == 0 && st.st_size > 0)
    return static_cast<std::int64_t>(st.st_size);
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/fd", pid);
  if (::stat(path, &st) == 0 && st.st_size > 0) return static_cast<std::int64_t>(st.st_size);
  std::int64_t count = 0;
  each_entry(path, [&](const char*) { ++count; });
  return count;
}

std::optional<std::uint64_t> ProcSampler::run_time(OpenProc& o, pid_t pid) {
  if (o.sched_fd == -1) {  // opened on first use: a process that lives one pass never needs it
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    o.sched_fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (o.sched_fd < 0) o.sched_fd = -2;  // absent without CONFIG_SCHED_INFO: always read in full
  }
  std::size_t len = 0;
  if (o.sched_fd < 0 || !read_fd(o.sched_fd, &len)) return std::nullopt;
  return parse_schedstat_runtime(std::string_view(buf_, len));
}

// Keeps what a full read found. Only a single-threaded process may have it reused: with more
// threads, schedstat's figure (the main thread's) says nothing about the others. A process seen
// for the first time, or whose ticks grew since its last read, is not checked next pass (the
// check would fail, or the process is gone by then).
void ProcSampler::remember(OpenProc& o, pid_t pid, const ProcStat& st, std::optional<std::uint64_t> ran,
                           std::int64_t fds, const std::vector<pid_t>& children) {
  bool looked_idle = o.seen && o.stat.utime + o.stat.stime == st.utime + st.stime;
  o.seen = true;
  o.known = false;
  o.read_pass = pass_;
  o.stat = st;
  o.fds = fds;
  o.children = children;
  if (st.num_threads != 1 || !looked_idle) return;
  if (!ran) ran = run_time(o, pid);
  if (ran) {
    o.ran_ns = *ran;
    o.known = true;
  }
}

void ProcSampler::walk(pid_t root, TreeSample& out, History& next, const History* prev, bool& any_prev, bool children) {
  stack_.clear();
  stack_.push_back({root, 0});
  while (!stack_.empty()) {
    Visit visit = stack_.back();
    stack_.pop_back();
    pid_t pid = visit.pid;
    ProcStat st;
    std::int64_t fds = 0;
    OpenProc* kept = nullptr;  // its files kept open, if the fd budget allowed
    bool reused = false;
    std::optional<std::uint64_t> ran;
    if (auto it = open_.find(pid); it != open_.end() && it->second.known) {
      OpenProc& o = it->second;
      ran = run_time(o, pid);  // fails once that process is gone: read afresh below
      if (ran && *ran == o.ran_ns && pass_ - o.read_pass < kFullReadEvery) {
        reused = true;
        o.pass = pass_;
        kept = &o;
        st = o.stat;
        fds = o.fds;
      }
    }
    if (!reused) {
      if (!read_stat(pid, &st, &kept)) continue;  // gone: normal
      ++full_reads_;
      // A remembered child that exited while its parent slept: the pid may name another process now.
      if (visit.parent && st.ppid != visit.parent) continue;
      fds = count_fds(pid, kept);
    }
    if (st.state == 'Z' || next.procs.count(pid)) continue;
    std::uint64_t ticks = st.utime + st.stime;
    next.procs[pid] = Seen{st.starttime, ticks};
    std::uint64_t new_ticks = ticks;  // appeared since the last pass: all of its CPU time is new
    if (prev) {
      auto it = prev->procs.find(pid);
      if (it != prev->procs.end() && it->second.starttime == st.starttime) {
        any_prev = true;
        new_ticks = ticks >= it->second.ticks ? ticks - it->second.ticks : 0;
      }
      out.cpu = out.cpu.value_or(0) + static_cast<double>(new_ticks);
    }
    out.cpu_seconds += static_cast<double>(new_ticks) / static_cast<double>(ticks_per_second_);
    out.memory += static_cast<std::uint64_t>(st.rss_pages > 0 ? st.rss_pages : 0) * static_cast<std::uint64_t>(page_size_);
    out.threads += st.num_threads;
    out.fds += fds;
    ++out.processes;

    if (reused) {
      if (children)
        for (pid_t c : kept->children) stack_.push_back({c, pid});
      continue;
    }
    kids_.clear();
    if (children) children_of(pid, st.num_threads, kept, kids_);  // children hang off each thread of the process
    if (kept) remember(*kept, pid, st, ran, fds, kids_);
    for (pid_t c : kids_) stack_.push_back({c, 0});
  }
}

void ProcSampler::cgroup_figures(const OpenCgroup& c, TreeSample& out, History& next, const History* prev) {
  std::size_t len = 0;
  if (c.cpu >= 0 && read_fd(c.cpu, &len)) next.cgroup_usec = cgroup_cpu_usage_usec(std::string_view(buf_, len));
  if (next.cgroup_usec) {
    std::uint64_t now_usec = *next.cgroup_usec;
    if (prev && prev->cgroup_usec && now_usec >= *prev->cgroup_usec) {
      double used = static_cast<double>(now_usec - *prev->cgroup_usec) / 1e6;
      double secs = to_seconds(next.at - prev->at);
      out.cpu_seconds = used;
      out.cpu = secs > 0 ? std::optional<double>(used / secs * 100.0) : std::nullopt;
    } else {
      out.cpu_seconds = static_cast<double>(now_usec) / 1e6;  // the run's first look: all it used so far
      out.cpu.reset();
    }
  }
  if (c.memory >= 0 && read_fd(c.memory, &len)) {
    std::string current(buf_, len);
    std::string_view stat = c.memory_stat >= 0 && read_fd(c.memory_stat, &len) ? std::string_view(buf_, len) : std::string_view();
    if (auto ws = cgroup_working_set(current, stat)) out.memory = *ws;
  }
}

std::vector<TreeSample> ProcSampler::sample(const std::vector<pid_t>& roots, const std::function<bool(pid_t)>& owned,
                                            std::chrono::steady_clock::time_point now) {
  return sample(roots, {}, owned, now);
}

std::vector<TreeSample> ProcSampler::sample(const std::vector<pid_t>& roots, const std::vector<std::string>& cgroups,
                                            const std::function<bool(pid_t)>& owned, std::chrono::steady_clock::time_point now) {
  std::vector<TreeSample> out(roots.size());
  std::vector<History> next(roots.size());
  full_reads_ = 0;
  history_.resize(roots.size());

  // Orphans vigil adopted (a service's main process died, or a daemon double-forked): attribute each
  // to the service whose session it still belongs to (every service leads its own session). Only
  // walks of process trees need it: a run with a cgroup has its orphans in the cgroup, so with
  // cgroups everywhere vigil's children are not read at all.
  std::multimap<pid_t, pid_t> adopted_by_session;
  bool adopted_read = false;
  auto adopted = [&]() -> const std::multimap<pid_t, pid_t>& {
    if (adopted_read) return adopted_by_session;
    adopted_read = true;
    mine_.clear();
    if (self_children_fd_ >= 0) read_children(self_children_fd_, mine_);
    for (pid_t c : mine_) {
      if (owned(c)) continue;
      char path[64];
      std::size_t len = 0;
      std::snprintf(path, sizeof path, "/proc/%d/stat", c);
      ProcStat st;
      if (read_file(path, &len) && parse_proc_stat(std::string_view(buf_, len), &st))
        adopted_by_session.emplace(st.session, c);
    }
    return adopted_by_session;
  };

  for (std::size_t i = 0; i < roots.size(); ++i) {
    pid_t root = roots[i];
    if (root <= 0) continue;
    const History* prev = history_[i].root == root ? &history_[i] : nullptr;
    bool any_prev = false;
    next[i].root = root;
    next[i].at = now;
    OpenCgroup* cgroup = i < cgroups.size() && !cgroups[i].empty() ? &open_cgroup(cgroups[i], root) : nullptr;
    if (cgroup) cgroup_procs(*cgroup, cgroup_pids_);
    if (cgroup && !cgroup_pids_.empty()) {
      for (pid_t p : cgroup_pids_) walk(p, out[i], next[i], prev, any_prev, false);
    } else {  // no cgroup, or the service moved its processes into cgroups of its own below it
      walk(root, out[i], next[i], prev, any_prev);
      auto range = adopted().equal_range(root);
      for (auto it = range.first; it != range.second; ++it) walk(it->second, out[i], next[i], prev, any_prev);
    }
    if (prev && out[i].cpu) {
      double secs = to_seconds(now - prev->at);
      if (secs > 0)
        out[i].cpu = *out[i].cpu / static_cast<double>(ticks_per_second_) / secs * 100.0;
      else
        out[i].cpu.reset();
    } else {
      out[i].cpu.reset();  // first look at this run: no interval yet
    }
    if (cgroup) cgroup_figures(*cgroup, out[i], next[i], prev);
  }
  history_ = std::move(next);
  drop_unvisited(open_, pass_, close_open);
  drop_unvisited(open_cgroups_, pass_, close_cgroup);
  ++pass_;
  return out;
}

}  // namespace vigil
