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
    vigil::cgroup_kill_and_remove(cg_, 5000, &error);
    EXPECT_EQ(error, "");
  }
  /// vigil started inside the delegated cgroup, as systemd starts a unit's main process.
  std::vector<std::string> in_cgroup() const {
    return {"/bin/sh", "-c", "echo $$ > '" + cg_ + "/cgroup.procs' && exec \"$0\" \"$@\""};
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
  EXPECT_TRUE(file_exists(cg_ + "/service-escaper/cgroup.procs"));
  // The orphaned grandchild is in another session: only the cgroup still knows it is the service's.
  EXPECT_TRUE(wait_for([&] { return vigil.metric("escaper", "threads") == 2; })) << vigil.service("escaper").dump();
  CommandResult status = vigil_cli(dir, {"status"});
  EXPECT_NE(status.out.find("runs in: own cgroups"), std::string::npos) << status.out;

  CommandResult stop = vigil_cli(dir, {"stop", "escaper"});
  ASSERT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  EXPECT_TRUE(wait_for([&] { return process_gone(gc); })) << "the setsid grandchild survived vigil stop";
  EXPECT_TRUE(wait_for([&] { return !file_exists(cg_ + "/service-escaper"); })) << "the run's cgroup was not removed";
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
  ASSERT_TRUE(file_exists(cg_ + "/job-hang/cgroup.procs"));
  CommandResult cancel = vigil_cli(dir, {"cancel", "--all"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  EXPECT_TRUE(wait_for([&] { return process_gone(hang); })) << "a job's setsid grandchild outlived cancel --all";
  EXPECT_TRUE(wait_for([&] { return !file_exists(cg_ + "/job-hang"); }));
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
  EXPECT_TRUE(second.wait_log("killed 1 process(es) a previous vigil left in service-escaper")) << second.log();
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
  EXPECT_FALSE(file_exists(cg_ + "/service-s"));
}
