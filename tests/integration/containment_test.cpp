// Containment (docs/lifecycle.md): with a delegated cgroup, every run lives in a cgroup of its own,
// so what left its process group by setsid() is still sampled, stopped and killed; a vigil that was
// SIGKILLed leaves its runs' cgroups behind, and the next vigil kills them before it starts anything.
// The test makes the delegated cgroup itself (as systemd does for Delegate=yes: owned by the user,
// marked trusted.delegate), so it needs root; tests/system/systemd_user_e2e.sh checks the same under
// a real systemd --user.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "test_support.hpp"
#include "vigil/cgroup_files.hpp"
#include "vigil/cgroup_parse.hpp"

using namespace vt;

namespace {

class DelegatedCgroup : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "making a delegated cgroup needs root";
    auto own = vigil::unified_cgroup(read_file("/proc/self/cgroup"));
    auto dir = own ? vigil::cgroup_dir(read_file("/proc/self/mountinfo"), *own) : std::nullopt;
    ASSERT_TRUE(dir) << "no cgroup v2 hierarchy here";
    static int serial = 0;
    cg_ = *dir + "/vigil-test-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
    ASSERT_EQ(::mkdir(cg_.c_str(), 0755), 0) << cg_ << ": " << std::strerror(errno);
    ASSERT_EQ(::setxattr(cg_.c_str(), "trusted.delegate", "1", 1, 0), 0) << std::strerror(errno);
  }
  void TearDown() override {
    if (cg_.empty()) return;
    std::string error;
    EXPECT_GE(vigil::cgroup_kill_tree(cg_, &error), 0) << error;
    EXPECT_TRUE(vigil::cgroup_remove_when_empty(cg_, std::chrono::steady_clock::now() + kDeadline, &error)) << error;
  }
  /// vigil started inside the delegated cgroup, as systemd starts a unit's main process.
  std::vector<std::string> in_cgroup() const {
    return {"/bin/sh", "-c", "echo $$ > '" + cg_ + "/cgroup.procs' && exec \"$0\" \"$@\""};
  }
  /// The cgroup of a run of `leaf_prefix` ("service-escaper@"), "" when there is none.
  std::string run_cgroup(const std::string& leaf_prefix) const {
    for (const auto& dir : vigil::cgroup_children(cg_))
      if (dir.rfind(cg_ + "/" + leaf_prefix, 0) == 0) return dir;
    return "";
  }
  std::string cg_;
};

// A service whose grandchild left the process group (setsid) and the tree (its parent exited).
std::string escaper(const TempDir& dir, const std::string& name, const std::string& pid_file) {
  return "[service." + name + "]\ncommand = [\"sh\", \"-c\", \"(setsid sleep 1000 & echo $! > " + (dir / pid_file) +
         "); exec sleep 1000\"]\n";
}

}  // namespace

TEST_F(DelegatedCgroup, AStopKillsWhatLeftTheProcessGroupAndSamplingCountsIt) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n" + escaper(dir, "escaper", "gc.pid"), {}, in_cgroup());
  pid_t gc = read_pid_file(dir / "gc.pid");
  ASSERT_GT(gc, 0);
  ASSERT_TRUE(wait_for([&] { return vigil.status().is_object(); })) << vigil.log();
  nlohmann::json st = vigil.status();
  EXPECT_EQ(st["vigil"]["containment"]["mode"], "cgroups") << st["vigil"].dump();
  EXPECT_EQ(st["vigil"]["containment"]["detail"], cg_);
  EXPECT_EQ(run_cgroup("service-escaper@"), cg_ + "/service-escaper@1");
  // The orphaned grandchild is in another session: only the cgroup still knows it is the service's.
  EXPECT_TRUE(wait_for([&] { return vigil.metric("escaper", "threads") == 2; })) << vigil.service("escaper").dump();
  CommandResult status = vigil_cli(dir, {"status"});
  EXPECT_NE(status.out.find("runs in: own cgroups"), std::string::npos) << status.out;

  CommandResult stop = vigil_cli(dir, {"stop", "escaper"});
  ASSERT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  EXPECT_TRUE(wait_for([&] { return process_gone(gc); })) << "the setsid grandchild survived vigil stop";
  EXPECT_TRUE(wait_for([&] { return run_cgroup("service-escaper@").empty(); })) << "the run's cgroup was not removed";
}

// A service may make cgroups of its own below its run's: the stop signal still reaches a process
// there that also left the process group (it gets SIGTERM, not only the SIGKILL of stop_timeout).
TEST_F(DelegatedCgroup, TheStopSignalReachesCgroupsTheServiceMadeBelowItsOwn) {
  TempDir dir;
  write_file(dir / "nest.sh",
             "cg=\"$1\"; dir=\"$2\"\nmkdir \"$cg/inner\"\n"
             "setsid sh -c \"echo \\$\\$ > '$cg/inner/cgroup.procs'; trap 'echo TERM > $dir/term; exit 0' TERM; "
             "echo \\$\\$ > $dir/inner.pid; while :; do sleep 0.1; done\" &\nexec sleep 1000\n");
  VigilRun vigil(dir,
                 "[service.nest]\ncommand = [\"sh\", \"" + (dir / "nest.sh") + "\", \"" + cg_ + "/service-nest@1\", \"" +
                     dir.path() + "\"]\nstop_timeout = \"30s\"\n",
                 {}, in_cgroup());
  pid_t inner = read_pid_file(dir / "inner.pid");
  ASSERT_GT(inner, 0);
  ASSERT_TRUE(wait_for([&] { return read_file(cg_ + "/service-nest@1/inner/cgroup.procs").find(std::to_string(inner)) != std::string::npos; }));
  CommandResult stop = vigil_cli(dir, {"stop", "nest"});
  ASSERT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  EXPECT_TRUE(wait_for([&] { return file_exists(dir / "term"); })) << "the nested process got no SIGTERM\n" << vigil.log();
  EXPECT_TRUE(wait_for([&] { return process_gone(inner); }));
  EXPECT_TRUE(wait_for([&] { return run_cgroup("service-nest@").empty(); })) << "the run's cgroup (and the one below) stayed";
}

TEST_F(DelegatedCgroup, NoProcessOfAJobOutlivesItsRunOrACancel) {
  TempDir dir;
  VigilRun vigil(dir,
                 "[job.sweep]\ncommand = [\"sh\", \"-c\", \"(setsid sleep 1000 & echo $! > " + (dir / "left.pid") +
                     "); exit 0\"]\n[job.hang]\ncommand = [\"sh\", \"-c\", \"(setsid sleep 1000 & echo $! > " +
                     (dir / "hang.pid") + "); exec sleep 1000\"]\n",
                 {}, in_cgroup());
  ASSERT_TRUE(wait_for([&] { return vigil.status().is_object(); })) << vigil.log();
  // A run is over when its main process is: what it left in its cgroup is killed.
  CommandResult run = vigil_cli(dir, {"run-now", "sweep", "--wait"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  pid_t left = read_pid_file(dir / "left.pid");
  ASSERT_GT(left, 0);
  EXPECT_TRUE(wait_for([&] { return process_gone(left); })) << "a job's setsid grandchild outlived its run\n" << vigil.log();

  ASSERT_EQ(vigil_cli(dir, {"run-now", "hang"}).exit_code, 0);
  pid_t hang = read_pid_file(dir / "hang.pid");
  ASSERT_GT(hang, 0);
  ASSERT_NE(run_cgroup("job-hang@"), "");
  CommandResult cancel = vigil_cli(dir, {"cancel", "--all"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  EXPECT_TRUE(wait_for([&] { return process_gone(hang); })) << "a job's setsid grandchild outlived cancel --all";
  EXPECT_TRUE(wait_for([&] { return run_cgroup("job-hang@").empty(); }));
}

TEST_F(DelegatedCgroup, TheNextVigilKillsWhatASigkilledOneLeftBehind) {
  TempDir first_dir, second_dir;
  pid_t gc = 0;
  {
    VigilRun first(first_dir, escaper(first_dir, "escaper", "gc.pid"), {}, in_cgroup());
    gc = read_pid_file(first_dir / "gc.pid");
    ASSERT_GT(gc, 0);
    first.signal(SIGKILL);
    ASSERT_TRUE(first.wait_exit());
  }
  // Outside systemd nobody else kills the service's cgroup: the grandchild is still there.
  ASSERT_FALSE(process_gone(gc));
  VigilRun second(second_dir, escaper(second_dir, "escaper", "gc.pid"), {}, in_cgroup());
  // The main process died with vigil (PDEATHSIG) but may not have left the cgroup yet: 1 or 2.
  EXPECT_TRUE(second.wait_log("process(es) a previous vigil left in service-escaper@1")) << second.log();
  EXPECT_TRUE(wait_for([&] { return process_gone(gc); }));
  EXPECT_GT(read_pid_file(second_dir / "gc.pid"), 0) << "the service did not start again";
}

TEST_F(DelegatedCgroup, CgroupsFalseKeepsProcessGroupsAndSaysSo) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\ncgroups = false\n[service.s]\ncommand = [\"sleep\", \"1000\"]\n", {}, in_cgroup());
  ASSERT_TRUE(wait_for([&] { return vigil.status().is_object(); })) << vigil.log();
  nlohmann::json st = vigil.status();
  EXPECT_EQ(st["vigil"]["containment"]["mode"], "process-groups");
  EXPECT_EQ(st["vigil"]["containment"]["detail"], "cgroups = false in the config");
  EXPECT_EQ(run_cgroup("service-"), "");
}
