// Stopping: the whole process group goes, stubborn or not, and vigil's own death takes its children.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "test_support.hpp"

using namespace vt;

TEST(Stop, AChildIgnoringSigtermIsKilledAfterStopTimeoutWithItsGrandchildren) {
  TempDir dir;
  // Both the shell and its background grandchild ignore SIGTERM (an ignored disposition is inherited).
  VigilRun vigil(dir, "[service.stubborn]\ncommand = [\"sh\", \"-c\", \"trap '' TERM; sleep 1000 & echo $! > " +
                          (dir / "grandchild.pid") + "; echo $$ > " + (dir / "child.pid") +
                          "; while :; do sleep 0.05; done\"]\nstop_timeout = \"500ms\"\n");
  pid_t child = read_pid_file(dir / "child.pid");
  pid_t grandchild = read_pid_file(dir / "grandchild.pid");
  ASSERT_GT(child, 0);
  ASSERT_GT(grandchild, 0);
  ASSERT_FALSE(process_gone(grandchild));

  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0) << vigil.log();
  std::string log = vigil.log();
  EXPECT_NE(log.find("stubborn: still running 500ms after the stop signal; sending SIGKILL to process group " +
                     std::to_string(child)),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("stubborn: was killed by SIGKILL"), std::string::npos) << log;
  EXPECT_TRUE(process_gone(child));
  EXPECT_TRUE(process_gone(grandchild));
}

TEST(Stop, AGrandchildThatOutlivesACooperativeMainProcessIsStillStopped) {
  TempDir dir;
  // The main process exits on SIGTERM at once; its grandchild ignores SIGTERM. vigil must not call
  // the service stopped while the grandchild lives.
  // The grandchild writes its pid only once it ignores SIGTERM, so the test cannot signal too early.
  VigilRun vigil(dir, "[service.leaky]\ncommand = [\"sh\", \"-c\", \"sh -c 'trap \\\"\\\" TERM; echo $$ > " +
                          (dir / "grandchild.pid") + "; exec sleep 1000' & exec sleep 1000\"]\nstop_timeout = \"300ms\"\n");
  pid_t grandchild = read_pid_file(dir / "grandchild.pid");
  ASSERT_GT(grandchild, 0);
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0) << vigil.log();
  EXPECT_TRUE(process_gone(grandchild));
  EXPECT_NE(vigil.log().find("sending SIGKILL to process group"), std::string::npos) << vigil.log();
}

TEST(Stop, SigtermStopsEveryServiceAndExitsZero) {
  TempDir dir;
  std::string cfg;
  for (const char* name : {"a", "b", "c"})
    cfg += std::string("[service.") + name + "]\ncommand = [\"sh\", \"-c\", \"echo $$ > " + (dir / name) +
           ".pid; exec sleep 1000\"]\n";
  VigilRun vigil(dir, cfg);
  std::vector<pid_t> pids;
  for (const char* name : {"a", "b", "c"}) pids.push_back(read_pid_file(dir / name + ".pid"));
  for (pid_t p : pids) ASSERT_GT(p, 0);
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0) << vigil.log();
  for (pid_t p : pids) EXPECT_TRUE(process_gone(p)) << p;
  EXPECT_NE(vigil.log().find("all services stopped; vigil exits"), std::string::npos);
}

TEST(Stop, SigkillToVigilTakesItsChildrenWithIt) {
  TempDir dir;
  VigilRun vigil(dir, "[service.orphan-candidate]\ncommand = [\"sh\", \"-c\", \"echo $$ > " + (dir / "child.pid") +
                          "; exec sleep 1000\"]\n");
  pid_t child = read_pid_file(dir / "child.pid");
  ASSERT_GT(child, 0);
  vigil.signal(SIGKILL);
  ASSERT_EQ(vigil.wait_exit(), -SIGKILL);
  EXPECT_TRUE(wait_for([&] { return process_gone(child); })) << "child " << child << " outlived vigil";
}

TEST(Stop, ACrashedServicesLeftoversAreKilledBeforeTheRestart) {
  TempDir dir;
  VigilRun vigil(dir, "[service.messy]\ncommand = [\"sh\", \"-c\", \"sleep 1000 & echo $! > " +
                          (dir / "leftover.pid") + "; exit 1\"]\nrestart = \"never\"\n");
  pid_t leftover = read_pid_file(dir / "leftover.pid");
  ASSERT_GT(leftover, 0);
  ASSERT_TRUE(vigil.wait_log("messy: running -> stopped (exited)")) << vigil.log();
  EXPECT_NE(vigil.log().find("messy: main process gone but process group"), std::string::npos) << vigil.log();
  EXPECT_TRUE(process_gone(leftover));
  // The exit status reported is the main process's, not the leftover's SIGKILL.
  EXPECT_NE(vigil.log().find("messy: exited with status 1"), std::string::npos) << vigil.log();
}

TEST(Stop, ASecondSigtermKillsAtOnce) {
  TempDir dir;
  VigilRun vigil(dir, "[service.slow]\ncommand = [\"sh\", \"-c\", \"trap '' TERM; echo $$ > " + (dir / "child.pid") +
                          "; while :; do sleep 0.05; done\"]\nstop_timeout = \"1h\"\n");
  pid_t child = read_pid_file(dir / "child.pid");
  ASSERT_GT(child, 0);
  vigil.signal(SIGTERM);
  ASSERT_TRUE(vigil.wait_log("slow: running -> stopping (stop)"));
  // A duplicate delivered at once is not an insistence; a repeat a moment later is.
  vigil.signal(SIGTERM);
  ASSERT_TRUE(vigil.wait_log("again within 1s: already stopping"));
  EXPECT_FALSE(process_gone(child));
  std::this_thread::sleep_for(1100ms);  // the rule under test is about elapsed time
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0) << vigil.log();
  EXPECT_NE(vigil.log().find("again: killing every service's process group now"), std::string::npos);
  EXPECT_TRUE(process_gone(child));
}
