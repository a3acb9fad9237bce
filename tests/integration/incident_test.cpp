// Alerts an operator can trust in a real incident (the scan-bridge story): the real binary, real
// children, a real exec notifier recording what it was given. Thresholds are scaled down to
// seconds; every wait is a poll with a deadline.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fcntl.h>
#include <regex>

#include "test_support.hpp"

using namespace vt;

namespace {

std::string recorder(const TempDir& dir) {
  return "[notify.rec]\ntype = \"exec\"\ncommand = [\"" FIXTURES_DIR "/record_alert.sh\", \"" + (dir / "rec.txt") +
         "\"]\ntimeout = \"5s\"\n";
}

std::vector<nlohmann::json> received(const TempDir& dir, const std::string& rule = "") {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines_of(read_file(dir / "rec.txt"))) {
    if (l.rfind("json: ", 0) != 0) continue;
    auto j = nlohmann::json::parse(l.substr(6), nullptr, false);
    if (!j.is_discarded() && (rule.empty() || j["name"] == rule)) out.push_back(j);
  }
  return out;
}

int count(const std::vector<nlohmann::json>& all, const std::string& state, bool repeat = false) {
  int n = 0;
  for (const auto& j : all)
    if (j["state"] == state && j.value("repeat", false) == repeat) ++n;
  return n;
}

// Waits until vigil has published `n` more snapshots (samples) than now: "nothing happened for a
// while" without a fixed sleep.
bool wait_samples(const VigilRun& v, int n) {
  auto taken = [&] {
    auto st = v.status();
    return st.is_object() ? st["vigil"].value("taken_at", 0.0) : 0.0;
  };
  double start = taken();
  int seen = 0;
  double last = start;
  return wait_for([&] {
    double t = taken();
    if (t > last) {
      ++seen;
      last = t;
    }
    return seen >= n;
  });
}

nlohmann::json alert_of(const VigilRun& v, const std::string& rule) {
  auto st = v.status();
  if (st.is_object())
    for (auto& a : st["alerts"])
      if (a["rule"] == rule) return a;
  return nullptr;
}

}  // namespace

TEST(Incident, AMemoryLeakRestartIsOneFiringAndOneResolvedWithTheSmallValue) {
  TempDir dir;
  // The first run grows past 60MB (touched pages, so they count in RSS); the restarted one stays small.
  std::string leak = "if [ -e " + (dir / "leaked") + " ]; then exec sleep 1000; fi; touch " + (dir / "leaked") +
                     "; exec python3 -c 'import time; x = b\\\"x\\\" * (80 << 20); time.sleep(1000)'";
  write_file(dir / "rules.toml", "[[rule]]\nname = \"leak\"\nwhen = \"memory > 60MB\"\nseverity = \"critical\"\n"
                                 "action = \"restart\"\nnotify = [\"rec\"]\nsummary = \"{service}: memory {memory}\"\n" +
                                     recorder(dir));
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.bridge]\ncommand = [\"sh\", \"-c\", \"" + leak +
                          "\"]\nrestart_delay = \"300ms\"\n");
  ASSERT_TRUE(wait_for([&] { return count(received(dir), "resolved") == 1; }, 30s)) << read_file(dir / "rec.txt")
                                                                                     << vigil.log();
  // Let several samples pass: nothing more may arrive (no "resolved" while down, no second firing).
  ASSERT_TRUE(wait_samples(vigil, 10));
  ASSERT_TRUE(wait_for([&] { return !read_file(dir / "rec.txt").empty(); }));
  auto all = received(dir);
  ASSERT_EQ(all.size(), 2u) << read_file(dir / "rec.txt");
  EXPECT_EQ(all[0]["state"], "firing");
  EXPECT_EQ(all[1]["state"], "resolved");
  std::string big = all[0]["value"];  // caught somewhere on its way to 80MB, past 60MB
  EXPECT_TRUE(big.find("MB") != std::string::npos && std::stod(big) > 60) << all[0];
  // The resolution carries the value seen when it resolved: the small new process.
  std::string small = all[1]["value"];
  EXPECT_TRUE(small.find("MB") == std::string::npos || std::stod(small) < 60) << all[1];
  EXPECT_EQ(all[1]["summary"], "bridge: memory " + small);
  EXPECT_TRUE(vigil.wait_log("ALERT leak resolved")) << vigil.log();
}

TEST(Incident, ACrashLoopWithoutRulesEndsInServiceFailed) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.bridge]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n"
                      "restart_delay = \"50ms\"\nstart_limit_burst = 3\nfailed_retry = \"10m\"\n");
  ASSERT_TRUE(wait_for([&] { return vigil_cli(dir, {"alerts", "--json"}).out.find("service_failed") != std::string::npos; }))
      << vigil.log();
  nlohmann::json failed;
  for (auto& a : nlohmann::json::parse(vigil_cli(dir, {"alerts", "--json"}).out)) {
    if (a["rule"] == "service_failed") failed = a;
    else EXPECT_EQ(a["state"], "pending") << a;  // service_flapping waits its 5 minutes
  }
  ASSERT_TRUE(failed.is_object());
  EXPECT_EQ(failed["service"], "bridge");
  EXPECT_EQ(failed["severity"], "critical");
  EXPECT_EQ(failed["state"], "firing");
  std::string summary = failed["summary"];
  EXPECT_NE(summary.find("bridge failed (start limit: 3 starts within 1m"), std::string::npos) << summary;
  EXPECT_TRUE(std::regex_search(summary, std::regex("vigil retries in [0-9]+m"))) << summary;
  CommandResult table = vigil_cli(dir, {"alerts"});
  EXPECT_NE(table.out.find("service_failed"), std::string::npos) << table.out;
  EXPECT_TRUE(vigil.wait_log("ALERT service_failed firing [critical] for bridge")) << vigil.log();
}

TEST(Incident, ACrashLoopPagesOnceThenWithTheCountAndServiceFailedOnce) {
  TempDir dir;
  write_file(dir / "rules.toml", "[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0\"\nrepeat = \"300ms\"\n"
                                 "notify = [\"rec\"]\nsummary = \"{service} crashed\"\n" + recorder(dir));
  // It retries after 1s once failed, and fails again: service_failed is updated, not fired twice.
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.bridge]\ncommand = [\"sh\", \"-c\", \"sleep 0.1; exit 1\"]\n"
                      "restart_delay = \"100ms\"\nbackoff_max = \"100ms\"\nstart_limit_burst = 8\nfailed_retry = \"1s\"\n");
  ASSERT_TRUE(wait_for([&] { return count(received(dir, "service_failed"), "firing") == 1; }, 30s))
      << read_file(dir / "rec.txt") << vigil.log();
  // The crash alert: one firing, then repeats whose count grows.
  auto crashes = received(dir, "crashed");
  ASSERT_EQ(count(crashes, "firing"), 1) << read_file(dir / "rec.txt");
  EXPECT_EQ(crashes[0]["count"], 1);
  int last = 1, repeats = 0;
  for (const auto& j : crashes) {
    if (!j.value("repeat", false)) continue;
    ++repeats;
    EXPECT_GT(j["count"].get<int>(), last) << j;
    last = j["count"];
    EXPECT_TRUE(std::regex_search(j["summary"].get<std::string>(),
                                  std::regex(R"(bridge crashed \([0-9]+ times in [0-9.]+s, last: exited with status 1\))")))
        << j;
  }
  EXPECT_GE(repeats, 1) << read_file(dir / "rec.txt");
  // The retry fails again: the firing alert is updated, it does not fire a second time.
  ASSERT_TRUE(vigil.wait_log("ALERT service_failed still firing, updated", 1, 30s)) << vigil.log();
  EXPECT_TRUE(vigil.wait_log("bridge failed 2 times in a row (start limit: 8 starts")) << vigil.log();
  EXPECT_EQ(count(received(dir, "service_failed"), "firing"), 1) << read_file(dir / "rec.txt");
  EXPECT_EQ(count(received(dir, "service_failed"), "resolved"), 0) << read_file(dir / "rec.txt");
}

TEST(Incident, AFiringAlertResolvesInsideTheNextRunsGrace) {
  TempDir dir;
  // First run: one line, then silence. The restarted run talks all the time.
  std::string talker = "if [ -e " + (dir / "ran") + " ]; then while :; do echo tick; sleep 0.05; done; fi; touch " +
                       (dir / "ran") + "; echo once; exec sleep 1000";
  write_file(dir / "rules.toml", "[[rule]]\nname = \"quiet\"\nwhen = \"output_idle > 1s\"\nnotify = [\"rec\"]\n" + recorder(dir));
  auto config = [&](const std::string& grace) {
    return "[vigil]\nsample_interval = \"100ms\"\n[service.talker]\ncommand = [\"sh\", \"-c\", \"" + talker +
           "\"]\nhealth_grace = \"" + grace + "\"\n";
  };
  VigilRun vigil(dir, config("0s"));
  ASSERT_TRUE(wait_for([&] { return count(received(dir, "quiet"), "firing") == 1; })) << vigil.log();
  // A long grace from now on (a monitoring key: applied live), then an operator restart.
  write_file(vigil.config_path(), config("1h"));
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("~talker (health_grace: applied live, no restart)")) << vigil.log();
  ASSERT_EQ(vigil_cli(dir, {"restart", "talker"}).exit_code, 0);
  // The new run is in its grace for an hour; the alert resolves as soon as the output is seen.
  ASSERT_TRUE(wait_for([&] { return count(received(dir, "quiet"), "resolved") == 1; })) << vigil.log();
  auto svc = vigil.service("talker");
  EXPECT_TRUE(svc["in_health_grace"].get<bool>()) << svc;
}

TEST(Incident, TwoBrokenSavesInARowFireOnceAndResolveOnceAfterTheFix) {
  TempDir dir;
  std::string good = "[[rule]]\nname = \"up\"\nwhen = \"uptime > 1h\"\n" + recorder(dir);
  write_file(dir / "rules.toml", good);
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.svc]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(vigil.wait_log("in force: 1 rules")) << vigil.log();
  write_file(dir / "rules.toml", good + "[[rule]\nname = \"broken\"\n");
  ASSERT_TRUE(wait_for([&] { return count(received(dir, "rules_reload_failed"), "firing") == 1; })) << vigil.log();
  write_file(dir / "rules.toml", good + "[[rule]]\nname = \"broken\"\nwhen = \"cpuu > 1\"\n");
  ASSERT_TRUE(vigil.wait_log("ALERT rules_reload_failed still firing, updated")) << vigil.log();
  EXPECT_TRUE(wait_for([&] {
    auto a = alert_of(vigil, "rules_reload_failed");
    return a.is_object() && a["summary"].get<std::string>().find("cpuu") != std::string::npos;
  })) << vigil.status().dump(2);
  write_file(dir / "rules.toml", good);
  ASSERT_TRUE(wait_for([&] { return count(received(dir, "rules_reload_failed"), "resolved") == 1; })) << vigil.log();
  auto all = received(dir, "rules_reload_failed");
  EXPECT_EQ(all.size(), 2u) << read_file(dir / "rec.txt");
  EXPECT_EQ(count(all, "firing"), 1);
}

TEST(Incident, AReloadOfAMonitoringKeyKeepsTheProcess) {
  TempDir dir;
  auto config = [&](const std::string& extra) {
    return "[vigil]\nsample_interval = \"100ms\"\n[service.svc]\ncommand = [\"sleep\", \"1000\"]\n" + extra;
  };
  VigilRun vigil(dir, config(""));
  ASSERT_TRUE(wait_for([&] { return vigil.service("svc")["pid"].is_number(); })) << vigil.log();
  int pid = vigil.service("svc")["pid"];
  write_file(vigil.config_path(), config("health_grace = \"5s\"\nstop_timeout = \"3s\"\nrestart_delay = \"2s\"\n"));
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("~svc (restart_delay, stop_timeout, health_grace: applied live, no restart)")) << vigil.log();
  ASSERT_TRUE(wait_samples(vigil, 3));
  EXPECT_EQ(vigil.service("svc")["pid"], pid);
  EXPECT_EQ(count_of(vigil.log(), "svc: started"), 1) << vigil.log();
  // A change that reaches the process does restart it, and says so.
  write_file(vigil.config_path(), config("health_grace = \"5s\"\nenv = { A = \"1\" }\n"));
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("~svc (env, restart_delay, stop_timeout: restarting it)")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return vigil.service("svc")["pid"].is_number() && vigil.service("svc")["pid"] != pid; }));
}

TEST(Incident, AnActionThatCannotRunSaysWhyInTheAlertAndTheLog) {
  TempDir dir;
  // The rule wants a restart while the service is failed: skipped, and said so.
  write_file(dir / "rules.toml", "[[rule]]\nname = \"broken\"\nwhen = \"state == 'failed'\"\naction = \"restart\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.bridge]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n"
                      "restart_delay = \"50ms\"\nstart_limit_burst = 2\nfailed_retry = \"never\"\n");
  ASSERT_TRUE(wait_for([&] { return alert_of(vigil, "broken")["action"].is_string(); })) << vigil.log();
  EXPECT_EQ(alert_of(vigil, "broken")["action"], "restart skipped: service is failed (start limit hit; a rule does not restart it)");
  EXPECT_TRUE(vigil.wait_log("bridge: rule broken: ")) << vigil.log();
  EXPECT_TRUE(vigil.wait_log("; restart skipped: service is failed")) << vigil.log();
  CommandResult table = vigil_cli(dir, {"alerts"});
  EXPECT_NE(table.out.find("[action: restart skipped: service is failed"), std::string::npos) << table.out;
}
