// vigil as its children's systemd: READY=1 gating, start timeout, watchdog, STATUS=, garbage.
// The fixture links libsystemd and calls sd_notify() exactly as a daemon written for systemd does.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace vt;

TEST(Notify, ReadyNotifyGatesDependants) {
  TempDir dir;
  VigilRun vigil(dir, "[service.db]\ncommand = [\"" NOTIFY_DAEMON "\", \"--ready-after\", \"800\", \"--status\", "
                      "\"accepting connections\"]\nready = \"notify\"\n"
                      "[service.app]\ncommand = [\"sleep\", \"1000\"]\nafter = [\"db\"]\n");
  // While db has not sent READY=1 it is starting, and app waits.
  ASSERT_TRUE(wait_for([&] { return vigil.service("db")["state"] == "starting"; })) << vigil.log();
  EXPECT_EQ(vigil.service("app")["state"], "stopped");
  ASSERT_TRUE(vigil.wait_log("app: starting -> running")) << vigil.log();
  std::string log = vigil.log();
  EXPECT_LT(log.find("db: starting -> running (ready)"), log.find("app: stopped -> starting"));
  ASSERT_TRUE(wait_for([&] { return vigil.service("db")["status_text"] == "accepting connections"; }))
      << vigil.status().dump(2);
}

TEST(Notify, NoReadyWithinStartTimeoutIsAFailedStart) {
  TempDir dir;
  VigilRun vigil(dir, "[service.mute]\ncommand = [\"" NOTIFY_DAEMON "\", \"--no-ready\"]\nready = \"notify\"\n"
                      "start_timeout = \"500ms\"\nstart_limit_burst = 1\n");
  ASSERT_TRUE(vigil.wait_log("mute: stopping -> failed (exited)")) << vigil.log();
  std::string log = vigil.log();
  EXPECT_NE(log.find("mute: not ready within start_timeout (500ms); stopping it and treating the start as failed"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("mute: starting -> stopping (start timeout)"), std::string::npos) << log;
}

TEST(Notify, ASilentWatchdogRestartsTheService) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nlog_dir = \"" + (dir / "logs") + "\"\n[service.sleepy]\ncommand = [\"" NOTIFY_DAEMON
                      "\", \"--watchdog-pings\", \"3\"]\nready = \"notify\"\nwatchdog = \"400ms\"\nrestart_delay = \"100ms\"\n");
  ASSERT_TRUE(vigil.wait_log("sleepy: no WATCHDOG=1 for 400ms (watchdog); restarting it")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("sleepy: started", 2)) << vigil.log();
  // The child saw a watchdog addressed to itself (sd_watchdog_enabled checks WATCHDOG_PID).
  std::string out = read_file(dir / "logs/sleepy.log");
  EXPECT_NE(out.find("watchdog_enabled=1 usec=400000"), std::string::npos) << out;
}

TEST(Notify, AServiceThatKeepsPingingIsLeftAlone) {
  TempDir dir;
  // A period a loaded machine keeps (the daemon pings every 500 ms), watched for three periods.
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.healthy]\ncommand = [\"" NOTIFY_DAEMON
                      "\"]\nready = \"notify\"\nwatchdog = \"1s\"\n");
  ASSERT_TRUE(wait_for([&] { return vigil.service("healthy")["uptime"].is_number() &&
                                    vigil.service("healthy")["uptime"].get<double>() > 3; }));
  EXPECT_EQ(count_of(vigil.log(), "healthy: started"), 1) << vigil.log();
  EXPECT_LT(vigil.metric("healthy", "watchdog_age").value_or(99), 1);
}

TEST(Notify, WatchdogTriggerRestarts) {
  TempDir dir;
  VigilRun vigil(dir, "[service.asks]\ncommand = [\"" NOTIFY_DAEMON "\", \"--trigger-after\", \"200\"]\n"
                      "ready = \"notify\"\nwatchdog = \"10s\"\nrestart_delay = \"50ms\"\n");
  ASSERT_TRUE(vigil.wait_log("asks: asked for a watchdog restart (WATCHDOG_TRIGGER=1); restarting it")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("asks: started", 2)) << vigil.log();
}

TEST(Notify, GarbageAndOversizedDatagramsAreDroppedHarmlessly) {
  TempDir dir;
  const char* sender =
      "import os, socket\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
      "p = os.environ['NOTIFY_SOCKET']\n"
      "s.sendto(bytes(range(256)), p)\n"
      "s.sendto(b'STATUS=' + b'x' * 60000, p)\n"
      "s.sendto(b'no equals sign\\n\\n===\\n', p)\n"
      "s.sendto(b'READY=1\\nSTATUS=survived', p)\n"
      "import time; time.sleep(1000)\n";
  // A TOML literal string (three single quotes) passes the Python source through unprocessed.
  VigilRun vigil(dir, std::string("[service.noisy]\ncommand = [\"python3\", \"-c\", '''") + sender +
                          "''']\nready = \"notify\"\nstart_timeout = \"10s\"\n");
  ASSERT_TRUE(vigil.wait_log("noisy: starting -> running (ready)")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return vigil.service("noisy")["status_text"] == "survived"; })) << vigil.status().dump(2);
}
