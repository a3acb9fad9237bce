#include "vigil/containment.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include "vigil/cgroup_files.hpp"
#include "vigil/cgroup_parse.hpp"
#include "vigil/files.hpp"
#include "vigil/oplog.hpp"
#include "vigil/run_group.hpp"

namespace vigil {
namespace {

// systemd marks a cgroup it delegated (Delegate=yes) with trusted.delegate, and an unprivileged
// manager, which cannot write trusted.*, with user.delegate.
bool marked_delegated(const std::string& dir) {
  for (const char* name : {"trusted.delegate", "user.delegate"}) {
    char v[8] = {};
    ssize_t n = ::getxattr(dir.c_str(), name, v, sizeof v - 1);
    if (n > 0 && v[0] == '1') return true;
  }
  return false;
}

constexpr const char* kSupervisorLeaf = "supervisor";

}  // namespace

DelegationCheck check_delegation(std::string_view proc_self_cgroup, std::string_view mountinfo) {
  DelegationCheck c;
  auto path = unified_cgroup(proc_self_cgroup);
  if (!path) {
    c.why_not = "no cgroup v2 hierarchy on this host";
    return c;
  }
  auto dir = cgroup_dir(mountinfo, *path);
  if (!dir) {
    c.why_not = "cgroup " + *path + " is not mounted where vigil can see it";
    return c;
  }
  c.root = *dir;
  struct stat st {};
  if (::stat(dir->c_str(), &st) != 0) {
    c.why_not = "cannot look at " + *dir + ": " + std::strerror(errno);
    return c;
  }
  uid_t self = ::geteuid();
  if (st.st_uid != self) {
    c.why_not = "cgroup " + *dir + " belongs to uid " + std::to_string(st.st_uid) + ", not to vigil (not delegated)";
    return c;
  }
  if (::access(dir->c_str(), W_OK) != 0 || ::access((*dir + "/cgroup.procs").c_str(), W_OK) != 0) {
    c.why_not = "cgroup " + *dir + " is not writable by vigil (not delegated)";
    return c;
  }
  if (::access((*dir + "/cgroup.kill").c_str(), F_OK) != 0) {
    c.why_not = "no cgroup.kill in " + *dir + " (Linux 5.14 or later is needed)";
    return c;
  }
  if (self == 0 && !marked_delegated(*dir)) {
    c.why_not = "cgroup " + *dir + " is not marked delegated (root owns every cgroup: Delegate=yes is required)";
    return c;
  }
  for (pid_t p : cgroup_pids(*dir)) {
    if (p != ::getpid()) {
      c.why_not = "cgroup " + *dir + " is shared with other processes (pid " + std::to_string(p) + ")";
      return c;
    }
  }
  c.delegated = true;
  return c;
}

Containment Containment::take_over(bool wanted) {
  Containment c;
  if (!wanted) {
    c.detail_ = "cgroups = false in the config";
    oplog::info("services and jobs run in process groups (cgroups = false)");
    return c;
  }
  DelegationCheck check = check_delegation(read_file("/proc/self/cgroup").value_or(""),
                                           read_file("/proc/self/mountinfo").value_or(""));
  if (!check.delegated) {
    c.detail_ = check.why_not;
    oplog::info("services and jobs run in process groups: " + check.why_not +
                "; a process that leaves its group (setsid) is not stopped with it");
    return c;
  }
  const std::string& root = check.root;
  std::string own = root + "/" + kSupervisorLeaf;
  if ((::mkdir(own.c_str(), 0755) != 0 && errno != EEXIST) || !cgroup_write(own, "cgroup.procs", "0")) {
    c.detail_ = "cannot move vigil into " + own + ": " + std::strerror(errno);
    oplog::warn("services and jobs run in process groups: " + c.detail_);
    return c;
  }
  // What a previous vigil, SIGKILLed outside systemd, left running beside itself: its hooks and exec
  // probes, and runs that could not have a cgroup of their own.
  int strays = 0;
  for (pid_t p : cgroup_pids(own))
    if (p != ::getpid() && ::kill(p, SIGKILL) == 0) ++strays;
  if (strays > 0)
    oplog::warn("killed " + std::to_string(strays) + " process(es) a previous vigil left in " + own +
                " (hooks, exec probes or runs without a cgroup)");
  // Accounting for the runs' cgroups, as far as ROOT offers it (none on a hybrid host): memory for
  // memory.current, pids for the count. Not cpu: it would give every service an equal CPU weight,
  // a scheduling change nobody asked for (cpu.stat's usage needs no controller).
  if (auto offered = read_file(root + "/cgroup.controllers")) {
    std::string words = " " + *offered + " ";
    for (char& ch : words)
      if (ch == '\n') ch = ' ';
    for (const char* ctl : {"memory", "pids"})
      if (words.find(std::string(" ") + ctl + " ") != std::string::npos &&
          !cgroup_write(root, "cgroup.subtree_control", std::string("+") + ctl))
        oplog::info(std::string("cannot enable the ") + ctl + " controller in " + root + ": " + std::strerror(errno) +
                    (std::string(ctl) == "memory" ? "; memory is sampled as resident memory instead" : ""));
  }
  // A previous vigil killed with SIGKILL outside systemd leaves its runs' cgroups behind: all are
  // killed first, then each is waited for (2 s in all) and removed.
  std::vector<std::pair<std::string, int>> killed;
  for (const auto& dir : cgroup_children(root)) {
    std::string leaf = dir.substr(root.size() + 1);
    if (leaf.rfind("service-", 0) != 0 && leaf.rfind("job-", 0) != 0) continue;
    std::string error;
    int n = cgroup_kill_tree(dir, &error);
    if (n < 0) oplog::warn("leftover cgroup " + leaf + " of a previous vigil: " + error + "; its processes keep running");
    else killed.emplace_back(dir, n);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (const auto& [dir, n] : killed) {
    std::string leaf = dir.substr(root.size() + 1), error;
    if (n > 0) oplog::warn("killed " + std::to_string(n) + " process(es) a previous vigil left in " + leaf + " (cgroup " + dir + ")");
    if (!cgroup_remove_when_empty(dir, deadline, &error)) oplog::warn("leftover cgroup " + leaf + ": " + error + "; left as it is");
  }
  c.mode_ = ContainmentMode::Cgroups;
  c.root_ = root;
  c.detail_ = root;
  oplog::info("services and jobs run in their own cgroups under " + root + " (stop kills each whole cgroup)");
  return c;
}

std::string Containment::run_cgroup(std::string_view kind, std::string_view name, std::string* error) const {
  error->clear();
  if (mode_ != ContainmentMode::Cgroups) return "";
  // Each run has a directory of its own (KIND-NAME@N): a run whose cgroup could not be removed, or a
  // removed job's last run still ending while a new job of that name starts, never shares one.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string dir = root_ + "/" + cgroup_leaf(kind, name) + "@" + std::to_string(++runs_);
    if (::mkdir(dir.c_str(), 0755) == 0) return dir;
    if (errno != EEXIST) {
      *error = "cannot create cgroup " + dir + ": " + std::strerror(errno);
      return "";
    }
  }
  *error = "cannot create a cgroup for it under " + root_ + ": the names are taken";
  return "";
}

SpawnResult Containment::spawn_run(std::string_view kind, const std::string& name, SpawnSpec& spec) const {
  std::string error;
  spec.cgroup = run_cgroup(kind, name, &error);
  if (!error.empty()) oplog::warn(name + ": " + error + "; this run is kept in its process group only");
  SpawnResult r = spawn_child(spec);
  if (!r.child && !spec.cgroup.empty()) RunGroup(0, spec.cgroup).release(name);
  return r;
}

}  // namespace vigil
