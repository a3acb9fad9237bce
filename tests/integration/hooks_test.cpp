// Hooks on services (jobs: jobs_test.cpp): in order, with the outcome in their environment, never
// through a shell; a failing pre_start is a failed start.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace vt;

namespace {

std::string hook(const TempDir& dir, const std::string& kind) {
  return kind + " = [\"sh\", \"-c\", \"echo " + kind +
         " $VIGIL_HOOK $VIGIL_SERVICE ${VIGIL_RESULT:--} ${VIGIL_EXIT_CODE:--} ${VIGIL_EXIT_SIGNAL:--} >> " +
         (dir / "hooks") + "\"]\n";
}

}  // namespace

TEST(Hooks, AServicesHooksRunInOrderWithTheOutcome) {
  TempDir dir;
  VigilRun vigil(dir, "[service.api]\ncommand = [\"sh\", \"-c\", \"echo command >> " + (dir / "hooks") +
                          "; exit 3\"]\nrestart = \"never\"\n" + hook(dir, "pre_start") + hook(dir, "post_start") +
                          hook(dir, "post_stop") + hook(dir, "on_failure") + hook(dir, "on_success"));
  std::string want = "pre_start pre_start api - - -\ncommand\npost_start post_start api - - -\n"
                     "post_stop post_stop api exit-code 3 -\non_failure on_failure api exit-code 3 -\n";
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "hooks").size() >= want.size(); })) << read_file(dir / "hooks") << vigil.log();
  std::string got = read_file(dir / "hooks");
  // post_start runs beside the command: the two lines may come in either order.
  if (got.rfind("pre_start pre_start api - - -\npost_start", 0) == 0)
    want = "pre_start pre_start api - - -\npost_start post_start api - - -\ncommand\n"
           "post_stop post_stop api exit-code 3 -\non_failure on_failure api exit-code 3 -\n";
  EXPECT_EQ(got, want);
}

TEST(Hooks, AStopAskedForIsASuccessForTheHooks) {
  TempDir dir;
  VigilRun vigil(dir, "[service.api]\ncommand = [\"sh\", \"-c\", \"echo $$ > " + (dir / "api.pid") + "; exec sleep 1000\"]\n" +
                          hook(dir, "post_stop") + hook(dir, "on_success") + hook(dir, "on_failure"));
  ASSERT_GT(read_pid_file(dir / "api.pid"), 0);
  EXPECT_EQ(vigil_cli(dir, {"stop", "api"}).exit_code, 0);
  std::string want = "post_stop post_stop api success - 15\non_success on_success api success - 15\n";
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "hooks") == want; })) << read_file(dir / "hooks") << vigil.log();
}

TEST(Hooks, AFailingPreStartFailsTheStartAndTheCommandNeverRuns) {
  TempDir dir;
  VigilRun vigil(dir, "[service.gated]\ncommand = [\"sh\", \"-c\", \"touch " + (dir / "ran") + "; exec sleep 1000\"]\n"
                      "restart = \"never\"\npre_start = [[\"true\"], { command = [\"sh\", \"-c\", \"exit 4\"], timeout = \"5s\" }]\n" +
                      hook(dir, "on_failure"));
  ASSERT_TRUE(vigil.wait_log("pre_start hook sh exited with status 4; the service was not started")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "hooks") == "on_failure on_failure gated start-failed - -\n"; }))
      << read_file(dir / "hooks");
  EXPECT_FALSE(file_exists(dir / "ran"));
}

TEST(Hooks, AHookPastItsTimeoutIsKilledWithItsGroup) {
  TempDir dir;
  VigilRun vigil(dir, "[service.slowhook]\ncommand = [\"sleep\", \"1000\"]\n"
                      "pre_start = { command = [\"sh\", \"-c\", \"sleep 1000 & echo $! > " + (dir / "child.pid") +
                      "; wait\"], timeout = \"300ms\" }\nrestart = \"never\"\n");
  pid_t child = read_pid_file(dir / "child.pid");
  ASSERT_GT(child, 0);
  ASSERT_TRUE(vigil.wait_log("pre_start hook sh timed out")) << vigil.log();
  EXPECT_TRUE(wait_for([&] { return process_gone(child); }));
}

TEST(Hooks, AStartupProbeThatNeverPassesIsAStartTimeoutForTheHooks) {
  TempDir dir;
  VigilRun vigil(dir, "[service.api]\ncommand = [\"sleep\", \"1000\"]\nrestart = \"never\"\n" + hook(dir, "on_failure") +
                          "[service.api.probe.up]\ntype = \"exec\"\ncommand = [\"false\"]\nstartup = true\n"
                          "period = \"100ms\"\nstart_timeout = \"500ms\"\n");
  ASSERT_TRUE(wait_for([&] { return !read_file(dir / "hooks").empty(); })) << vigil.log();
  // VIGIL_RESULT names what ended the run: the start did not complete in time (it said "rule").
  EXPECT_EQ(read_file(dir / "hooks").rfind("on_failure on_failure api timeout ", 0), 0u) << read_file(dir / "hooks");
}
