// vigil in a fleet with the real parts: two Alertmanager peers, the dashboard in a real headless
// chromium, and docs/fleet.md's examples checked by promtool and amtool.
#include <gtest/gtest.h>

#include "http_peers.hpp"
#include "test_support.hpp"

using namespace vt;

namespace {

nlohmann::json find_alert(const Alertmanager& am, const std::string& alertname) {
  nlohmann::json list = am.alerts();
  if (list.is_array())
    for (auto& a : list)
      if (a["labels"]["alertname"] == alertname) return a;
  return nullptr;
}

}  // namespace

// `url` as a list: each peer gets the alert with the notifier's labels and the dashboard link; it
// is re-sent every `resend`, and resolves on both; the resolution is re-sent too.
TEST(Fleet, TwoAlertmanagerPeersGetTheAlertWithItsLabelsAndItsResolution) {
  TempDir dir;
  Alertmanager am1(dir, "am1"), am2(dir, "am2");
  WebhookReceiver hook(dir);  // a third "peer" that records what it is sent
  int port = free_tcp_port();
  write_file(dir / "rules.toml",
             "[[rule]]\nname = \"web_down\"\nservices = [\"web\"]\nwhen = \"not running\"\nseverity = \"critical\"\n"
             "notify = [\"am\"]\nsummary = \"{service} is {state}\"\n"
             "[notify.am]\ntype = \"webhook\"\nformat = \"alertmanager\"\nresend = \"1s\"\n"
             "url = [\"" + am1.url() + "\", \"" + am2.url() + "\", \"" + hook.url("/am") + "\"]\n"
             "labels = { site = \"fra1\", env = \"prod\" }\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"200ms\"\nhttp = \"127.0.0.1:" + std::to_string(port) + "\"\n"
                      "[service.web]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return vigil.service("web")["state"] == "running"; })) << vigil.log();
  ASSERT_EQ(vigil_cli(dir, {"stop", "web"}).exit_code, 0);
  for (const Alertmanager* am : {&am1, &am2}) {
    nlohmann::json a;
    ASSERT_TRUE(wait_for([&] { return !(a = find_alert(*am, "web_down")).is_null(); })) << vigil.log();
    EXPECT_EQ(a["labels"]["site"], "fra1");
    EXPECT_EQ(a["labels"]["env"], "prod");
    EXPECT_EQ(a["labels"]["service"], "web");
    EXPECT_EQ(a["labels"]["severity"], "critical");
    EXPECT_EQ(a["labels"]["job"], "vigil");
    EXPECT_EQ(a["status"]["state"], "active");
    EXPECT_EQ(a["generatorURL"], "http://127.0.0.1:" + std::to_string(port) + "/#svc-web");
  }
  // Re-sent every second while it fires (the lease renewed).
  ASSERT_TRUE(wait_for([&] { return hook.requests().size() >= 3; })) << vigil.log();
  ASSERT_EQ(vigil_cli(dir, {"start", "web"}).exit_code, 0);
  for (const Alertmanager* am : {&am1, &am2})
    EXPECT_TRUE(wait_for([&] { return find_alert(*am, "web_down").is_null(); })) << "resolved on every peer";
  // The resolution (endsAt no later than now) is re-sent too.
  auto resolutions = [&] {
    int n = 0;
    std::string last_end;
    for (const auto& r : hook.requests()) {
      auto body = nlohmann::json::parse(r["body"].get<std::string>(), nullptr, false);
      if (!body.is_array() || body.empty()) continue;
      std::string ends = body[0]["endsAt"];
      if (ends == last_end) ++n;  // the same endsAt twice: a resolution re-sent
      last_end = ends;
    }
    return n;
  };
  EXPECT_TRUE(wait_for([&] { return resolutions() >= 2; })) << hook.requests().size();
  auto first = nlohmann::json::parse(hook.requests().front()["body"].get<std::string>());
  EXPECT_TRUE(first[0].contains("generatorURL"));
  EXPECT_EQ(first[0]["labels"]["site"], "fra1");
}

// The dashboard in a real browser: after load it shows every service and the active alert.
TEST(Fleet, TheDashboardInAHeadlessBrowserShowsServicesAndAlerts) {
  std::string chromium = file_exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "";
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/deps.sh installs it)";
  TempDir dir;
  std::vector<std::string> base = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                   "--disable-dev-shm-usage", "--user-data-dir=" + (dir / "chromium")};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  };
  CommandResult probe = run_command(with({"--dump-dom", "about:blank"}));
  if (probe.exit_code != 0 || probe.out.find("<html") == std::string::npos)
    GTEST_SKIP() << "chromium cannot start here (exit " << probe.exit_code << "): " << probe.err.substr(0, 2000);

  int port = free_tcp_port();
  write_file(dir / "rules.toml",
             "[[rule]]\nname = \"batch_down\"\nservices = [\"nightly-batch\"]\nwhen = \"not running\"\n"
             "severity = \"critical\"\nsummary = \"{service} is {state}\"\n"
             "[[rule]]\nname = \"extract_failed\"\njobs = [\"extract\"]\nwhen = \"not last_run_ok\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"200ms\"\nhttp = \"127.0.0.1:" + std::to_string(port) + "\"\n"
                      "[service.api-gateway]\ncommand = [\"sleep\", \"1000\"]\n"
                      "[service.api-gateway.probe.alive]\ntype = \"exec\"\ncommand = [\"true\"]\nperiod = \"200ms\"\n"
                      "[job.extract]\nevery = \"1h\"\ncommand = [\"sh\", \"-c\", \"exit 2\"]\n"
                      "[service.scan-bridge]\ncommand = [\"sh\", \"-c\", \"while :; do echo tick; sleep 0.2; done\"]\n"
                      "[service.nightly-batch]\ncommand = [\"sh\", \"-c\", \"exit 3\"]\nrestart = \"never\"\n");
  ASSERT_TRUE(wait_for([&] { return http_get(port, "/-/ready").status == 200; }));
  CommandResult run = vigil_cli(dir, {"run-now", "extract", "--wait"});
  ASSERT_EQ(run.exit_code, 2) << run.out << run.err << vigil.log();
  // batch_down, the job rule's extract_failed and the built-in job_failed.
  ASSERT_TRUE(wait_for([&] { return vigil.status()["alerts"].size() == 3; })) << vigil.log();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  std::string dom;
  // The page fetches /api/v1/... after load; virtual time lets those answers in before the dump.
  ASSERT_TRUE(wait_for([&] {
    CommandResult r = run_command(with({"--virtual-time-budget=5000", "--dump-dom", url}));
    dom = r.out;
    return dom.find("id=\"svc-nightly-batch\"") != std::string::npos && dom.find("id=\"job-extract\"") != std::string::npos;
  }, 60s)) << dom.substr(0, 4000);
  for (const char* name : {"api-gateway", "scan-bridge", "nightly-batch"})
    EXPECT_NE(dom.find(std::string("<strong>") + name + "</strong>"), std::string::npos) << name << "\n" << dom;
  EXPECT_NE(dom.find("class=\"alert\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("batch_down"), std::string::npos) << dom;
  EXPECT_NE(dom.find("nightly-batch is stopped"), std::string::npos) << dom;  // the summary, as the rule wrote it
  EXPECT_NE(dom.find("extract_failed"), std::string::npos) << dom;              // a job rule's alert
  EXPECT_NE(dom.find("alive ✓"), std::string::npos) << dom;                     // the probe's verdict
  EXPECT_NE(dom.find(">failed</span>"), std::string::npos) << dom;              // the job's last run
  // A screenshot, kept beside the build for people to look at (not compared pixel by pixel).
  std::string shot = std::string(TEST_OUTPUT_DIR) + "/dashboard.png";
  std::remove(shot.c_str());
  CommandResult s = run_command(with({"--virtual-time-budget=5000", "--hide-scrollbars", "--window-size=1280,800",
                                      "--screenshot=" + shot, url}));
  EXPECT_TRUE(file_exists(shot)) << s.err.substr(0, 2000);
  std::string phone = std::string(TEST_OUTPUT_DIR) + "/dashboard-phone.png";
  run_command(with({"--virtual-time-budget=5000", "--hide-scrollbars", "--window-size=390,844", "--screenshot=" + phone, url}));
  EXPECT_TRUE(file_exists(phone));
}

// docs/fleet.md's examples are what the real tools accept.
TEST(Fleet, TheDocsExamplesPassPromtoolAndAmtool) {
  if (!file_exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool is not installed (Debian's prometheus package)";
  std::string ex = std::string(SOURCE_DIR) + "/docs/examples";
  CommandResult rules = run_command({"/usr/bin/promtool", "check", "rules", ex + "/vigil-alerts.yml"});
  EXPECT_EQ(rules.exit_code, 0) << rules.out << rules.err;
  CommandResult tests = run_command({"/usr/bin/promtool", "test", "rules", ex + "/vigil-alerts.test.yml"});
  EXPECT_EQ(tests.exit_code, 0) << tests.out << tests.err;
  CommandResult config = run_command({"/usr/bin/promtool", "check", "config", "--syntax-only", ex + "/prometheus-vigil.yml"});
  EXPECT_EQ(config.exit_code, 0) << config.out << config.err;
  if (file_exists("/usr/bin/amtool")) {
    CommandResult am = run_command({"/usr/bin/amtool", "check-config", ex + "/alertmanager.yml"});
    EXPECT_EQ(am.exit_code, 0) << am.out << am.err;
  }
}
