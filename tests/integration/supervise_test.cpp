// Restart policy end to end: the real vigil binary and real children that record their own starts.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>

#include "test_support.hpp"

using namespace vt;

namespace {

// A child that appends "<start time in ns>" to `file` and exits with `code`.
std::string recorder(const TempDir& dir, const std::string& file, int code) {
  return "command = [\"sh\", \"-c\", \"date +%s%N >> " + (dir / file) + "; exit " + std::to_string(code) + "\"]\n";
}

std::vector<long long> start_times(const std::string& path) {
  std::vector<long long> out;
  for (auto& l : lines_of(read_file(path))) out.push_back(std::atoll(l.c_str()));
  return out;
}

}  // namespace

TEST(Supervise, ACrashingServiceIsRestartedWithGrowingDelays) {
  TempDir dir;
  VigilRun vigil(dir, "[service.crasher]\n" + recorder(dir, "starts", 1) +
                          "restart_delay = \"100ms\"\nbackoff_max = \"10s\"\nstart_limit_burst = 100\n");
  ASSERT_TRUE(wait_for([&] { return start_times(dir / "starts").size() >= 4; })) << vigil.log();
  auto t = start_times(dir / "starts");
  // The gap between starts is at least the delay, which doubles: 100, 200, 400 ms.
  EXPECT_GE(t[1] - t[0], 100'000'000LL);
  EXPECT_GE(t[2] - t[1], 200'000'000LL);
  EXPECT_GE(t[3] - t[2], 400'000'000LL);
  std::string log = vigil.log();
  EXPECT_NE(log.find("crasher: exited with status 1 after"), std::string::npos) << log;
  EXPECT_NE(log.find("restarting in 100ms (attempt 2 of 100)"), std::string::npos) << log;
  EXPECT_NE(log.find("restarting in 200ms (attempt 3 of 100)"), std::string::npos) << log;
  EXPECT_NE(log.find("restarting in 400ms (attempt 4 of 100)"), std::string::npos) << log;
  EXPECT_NE(log.find("crasher: running -> backoff (exited)"), std::string::npos) << log;
}

TEST(Supervise, TheStartLimitMarksTheServiceFailedAndRetriesLater) {
  TempDir dir;
  VigilRun vigil(dir, "[service.flappy]\n" + recorder(dir, "starts", 2) +
                          "restart_delay = \"50ms\"\nstart_limit_burst = 3\nstart_limit_interval = \"1m\"\n"
                          "failed_retry = \"1s\"\n");
  ASSERT_TRUE(vigil.wait_log("flappy: running -> failed (exited)")) << vigil.log();
  EXPECT_NE(vigil.log().find("GIVING UP after 3 starts within 1m (start_limit_burst = 3); state failed, next try in 1s"),
            std::string::npos)
      << vigil.log();
  EXPECT_EQ(start_times(dir / "starts").size(), 3u);
  ASSERT_TRUE(vigil.wait_log("flappy: failed -> starting (failed_retry over)")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return start_times(dir / "starts").size() >= 4; }));
  auto t = start_times(dir / "starts");
  EXPECT_GE(t[3] - t[2], 1'000'000'000LL);
}

TEST(Supervise, RestartNeverLeavesTheServiceStopped) {
  TempDir dir;
  VigilRun vigil(dir, "[service.once]\n" + recorder(dir, "starts", 1) + "restart = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("once: running -> stopped (exited)")) << vigil.log();
  EXPECT_NE(vigil.log().find("not restarting: restart = \"never\""), std::string::npos) << vigil.log();
  EXPECT_EQ(start_times(dir / "starts").size(), 1u);
}

TEST(Supervise, OnFailureRestartsFailuresOnly) {
  TempDir dir;
  VigilRun vigil(dir, "[service.good]\n" + recorder(dir, "good", 0) + "restart = \"on-failure\"\n" +
                          "[service.bad]\n" + recorder(dir, "bad", 1) +
                          "restart = \"on-failure\"\nrestart_delay = \"10ms\"\nstart_limit_burst = 2\n");
  ASSERT_TRUE(vigil.wait_log("good: running -> stopped (exited)")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("bad: running -> failed (exited)")) << vigil.log();
  EXPECT_NE(vigil.log().find("it exited successfully and restart = \"on-failure\""), std::string::npos);
  EXPECT_EQ(start_times(dir / "good").size(), 1u);
  EXPECT_EQ(start_times(dir / "bad").size(), 2u);
}

TEST(Supervise, APreventedExitCodeIsNotRestarted) {
  TempDir dir;
  VigilRun vigil(dir, "[service.misconfigured]\n" + recorder(dir, "starts", 78) +
                          "restart_prevent_exit_codes = [78]\nrestart_delay = \"10ms\"\n");
  ASSERT_TRUE(vigil.wait_log("misconfigured: running -> stopped (exited)")) << vigil.log();
  EXPECT_NE(vigil.log().find("exited with status 78 after"), std::string::npos);
  EXPECT_NE(vigil.log().find("not restarting: exit status 78 is in restart_prevent_exit_codes"), std::string::npos);
  EXPECT_EQ(start_times(dir / "starts").size(), 1u);
}

TEST(Supervise, ASignalDeathIsReportedAsASignalWithItsRusage) {
  TempDir dir;
  // The child touches 64 MiB more than vigil's own peak (read once vigil runs; far larger under
  // ASan), so the kernel's peak RSS is the child's and is told (reap_child says why it must be).
  VigilRun vigil(dir, "[service.doomed]\ncommand = [\"python3\", \"-c\", \"import os, time\\n"
                      "while not os.path.exists('size'): time.sleep(0.01)\\n"
                      "b = bytearray(int(open('size').read())); b[::4096] = bytes(len(b[::4096])); "
                      "os.kill(os.getpid(), 9)\"]\ncwd = \"" + dir.path() + "\"\nrestart = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("doomed: started")) << vigil.log();
  std::string status = read_file("/proc/" + std::to_string(vigil.pid()) + "/status");
  auto hwm = status.find("VmHWM:");
  ASSERT_NE(hwm, std::string::npos);
  long long want = std::stoll(status.substr(hwm + 6)) * 1024 + (64ll << 20);
  write_file(dir / "size", std::to_string(want));
  ASSERT_TRUE(vigil.wait_log("doomed: running -> stopped (exited)")) << vigil.log();
  std::string log = vigil.log();
  EXPECT_NE(log.find("doomed: was killed by SIGKILL after"), std::string::npos) << log;
  EXPECT_EQ(log.find("status 137"), std::string::npos) << log;
  EXPECT_NE(log.find("(cpu "), std::string::npos) << log;
  auto peak = log.find("peak rss ");
  ASSERT_NE(peak, std::string::npos) << log;
  EXPECT_GE(std::stod(log.substr(peak + 9)) * 1e6, static_cast<double>(want) * 0.95) << log;
}

TEST(Supervise, AMissingProgramIsAClearErrorAndLeavesNoZombie) {
  TempDir dir;
  VigilRun vigil(dir, "[service.typo]\ncommand = [\"no-such-program-vigil\", \"--serve\"]\n"
                      "restart_delay = \"10ms\"\nstart_limit_burst = 2\nfailed_retry = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("typo: starting -> failed (spawn failed)")) << vigil.log();
  std::string log = vigil.log();
  EXPECT_NE(log.find("typo: could not start: program 'no-such-program-vigil' not found in PATH"), std::string::npos)
      << log;
  EXPECT_NE(log.find("no automatic retry (failed_retry = \"never\")"), std::string::npos) << log;
  EXPECT_TRUE(children_of(vigil.pid()).empty());
}

TEST(Supervise, ABadWorkingDirectoryIsAClearErrorAndLeavesNoZombie) {
  TempDir dir;
  VigilRun vigil(dir, "[service.lost]\ncommand = [\"true\"]\ncwd = \"/nonexistent/dir\"\n"
                      "start_limit_burst = 1\n");
  ASSERT_TRUE(vigil.wait_log("lost: starting -> failed (spawn failed)")) << vigil.log();
  EXPECT_NE(vigil.log().find("cannot chdir to /nonexistent/dir: No such file or directory"), std::string::npos)
      << vigil.log();
  for (pid_t c : children_of(vigil.pid())) EXPECT_NE(process_state(c), 'Z') << "zombie child " << c;
}

TEST(Supervise, AChildInheritsOnlyStdioItsEnvironmentAndItsOwnSession) {
  TempDir dir;
  VigilRun vigil(dir,
                 "[vigil]\nlog_dir = \"" + (dir / "logs") + "\"\n[service.lister]\ncommand = [\"" FD_LISTER
                 "\"]\nrestart = \"never\"\nenv = { EXTRA = \"yes\" }\n",
                 {"NOTIFY_SOCKET=/run/vigils-own-manager"});
  ASSERT_TRUE(vigil.wait_log("lister: running -> stopped (exited)")) << vigil.log();
  std::string out;
  ASSERT_TRUE(wait_for([&] {
    out = read_file(dir / "logs/lister.log");
    return out.find("EXTRA:") != std::string::npos;
  }));
  EXPECT_NE(out.find("out fds: 0 1 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("out stdin: /dev/null"), std::string::npos) << out;
  EXPECT_NE(out.find("out own pgid: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("out own session: yes"), std::string::npos) << out;
  // vigil's own manager's socket is never passed on; vigil's socket for its children is.
  EXPECT_EQ(out.find("/run/vigils-own-manager"), std::string::npos) << out;
  EXPECT_NE(out.find("out NOTIFY_SOCKET: " + (dir / "run/vigil/notify.sock")), std::string::npos) << out;
  EXPECT_NE(out.find("out VIGIL_SERVICE: lister"), std::string::npos) << out;
  EXPECT_NE(out.find("out EXTRA: yes"), std::string::npos) << out;
}

TEST(Supervise, ServicesStartAfterTheirDependenciesAndStopBeforeThem) {
  TempDir dir;
  // api takes a moment to stop, so "db waits for api" is visible in the log.
  std::string slow_stop = "command = [\"sh\", \"-c\", \"trap 'sleep 0.3; exit 0' TERM; while :; do sleep 0.05; done\"]\n";
  VigilRun vigil(dir, "[service.web]\n" + slow_stop + "after = [\"api\"]\n[service.api]\n" + slow_stop +
                          "after = [\"db\"]\n[service.db]\n" + slow_stop);
  ASSERT_TRUE(vigil.wait_log("web: starting -> running")) << vigil.log();
  std::string log = vigil.log();
  auto at = [&](const std::string& s) {
    auto p = log.find(s);
    EXPECT_NE(p, std::string::npos) << s << "\n" << log;
    return p;
  };
  EXPECT_LT(at("db: starting -> running"), at("api: stopped -> starting"));
  EXPECT_LT(at("api: starting -> running"), at("web: stopped -> starting"));

  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0) << vigil.log();
  log = vigil.log();
  EXPECT_LT(at("web: stopping -> stopped"), at("api: running -> stopping"));
  EXPECT_LT(at("api: stopping -> stopped"), at("db: running -> stopping"));
}

TEST(Supervise, ServicesWithoutDependenciesStartInTheOrderOfTheFile) {
  TempDir dir;
  std::string config;
  for (std::string name : {"zeta", "alpha", "mid", "beta"})
    config += "[service." + name + "]\ncommand = [\"sleep\", \"1000\"]\n";
  VigilRun vigil(dir, config);
  ASSERT_TRUE(vigil.wait_log("starting -> running", 4)) << vigil.log();
  std::string log = vigil.log();
  std::vector<std::size_t> at;
  for (std::string name : {"zeta", "alpha", "mid", "beta"}) at.push_back(log.find(name + ": started "));
  for (std::size_t i = 1; i < at.size(); ++i) EXPECT_LT(at[i - 1], at[i]) << log;
}

TEST(Supervise, AHundredServicesRunUnderAFdSoftLimitOf256AndChildrenKeepThatLimit) {
  // systemd gives user services a soft limit of 1024; vigil needs ~4 fds per service, so it
  // raises its own soft limit to the hard one — and must hand children the limit it was given.
  struct rlimit original {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  ASSERT_GE(original.rlim_max, 1024u) << "this machine's hard fd limit is too low for the test";
  struct rlimit low = original;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  TempDir dir;
  std::string config = "[service.s0]\ncommand = [\"sh\", \"-c\", \"ulimit -n > " + (dir / "limit") +
                       "; exec sleep 1000\"]\n";
  for (int i = 1; i < 100; ++i) config += "[service.s" + std::to_string(i) + "]\ncommand = [\"sleep\", \"1000\"]\n";
  VigilRun vigil(dir, config);
  ::setrlimit(RLIMIT_NOFILE, &original);  // only vigil was to start under the low limit

  std::size_t running = 0;
  EXPECT_TRUE(wait_for([&] {
    running = 0;
    nlohmann::json st = vigil.status();
    if (!st.is_object()) return false;
    for (const auto& s : st["services"]) running += s["state"] == "running";
    return running == 100;
  })) << running << " of 100 running\n" << vigil.log();
  EXPECT_TRUE(wait_for([&] { return read_file(dir / "limit") == "256\n"; })) << read_file(dir / "limit");
}
