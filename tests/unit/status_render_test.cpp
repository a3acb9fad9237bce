#include "vigil/status_render.hpp"

#include <gtest/gtest.h>

#include "vigil/snapshot.hpp"
#include "vigil/status_nagios.hpp"

#include "plugin_output.hpp"

using namespace vigil;

namespace {

Snapshot sample() {
  Snapshot s;
  s.version = "0.1.0";
  s.pid = 4242;
  s.uptime = 7980;
  s.config_path = "/home/op/.config/vigil/vigil.toml";
  s.store = {true, true, ""};
  s.rules = {"/home/op/.config/vigil/rules.toml", true, 5, 0, "", ""};
  ServiceSnapshot ok;
  ok.name = "redis";
  ok.state = State::Running;
  ok.pid = 100;
  ok.uptime = 7970;
  ok.cpu = 0.3;
  ok.memory = 12.4e6;
  ServiceSnapshot bad;
  bad.name = "a-service-with-a-rather-long-name";
  bad.state = State::Backoff;
  bad.restarts = 4;
  bad.next_start_in = 3.2;
  bad.last_exit = LastExit{ExitStatus::from_wait_status(1 << 8), 12, false};
  bad.health = Health::Critical;
  bad.health_summary = "data is 1m13s old";
  bad.store_error = "key 'latest_scan' does not exist";
  s.services = {ok, bad};
  AlertView a;
  a.rule = "stale_data";
  a.service = bad.name;
  a.severity = Severity::Critical;
  a.state = AlertState::Firing;
  a.summary = "data is 1m13s old";
  a.values = {{"data_age", "1m13s"}};
  a.since = 65;
  s.alerts = {a};
  return s;
}

nlohmann::json as_json(const Snapshot& s) { return nlohmann::json::parse(to_json(s)); }

}  // namespace

TEST(StatusRender, TableAlignsAndExplainsUnhealthyServices) {
  std::string out = render_status(as_json(sample()), {});
  EXPECT_NE(out.find("vigil 0.1.0  up 2h13m  pid 4242  config /home/op/.config/vigil/vigil.toml  runs in: process groups  rules: 5 in force  store: up"),
            std::string::npos)
      << out;
  // Columns line up under the long name.
  auto header = out.find("SERVICE");
  auto line_start = out.rfind('\n', header) + 1;
  std::string header_line = out.substr(line_start, out.find('\n', header) - line_start);
  EXPECT_EQ(header_line.find("STATE"), std::string("a-service-with-a-rather-long-name  ").size()) << out;
  EXPECT_NE(out.find("redis                              running  100"), std::string::npos) << out;
  EXPECT_NE(out.find("0.3%"), std::string::npos);
  EXPECT_NE(out.find("12.4MB"), std::string::npos);
  EXPECT_NE(out.find("critical  data is 1m13s old"), std::string::npos) << out;
  EXPECT_NE(out.find("    stale_data firing (critical, 1m5s): data_age = 1m13s"), std::string::npos) << out;
  EXPECT_NE(out.find("    next start in 3.2s"), std::string::npos) << out;
  EXPECT_NE(out.find("    last exit: exited with status 1, cpu 0.00s, peak rss -, 12s ago"), std::string::npos) << out;
  EXPECT_NE(out.find("    store: key 'latest_scan' does not exist"), std::string::npos) << out;
  EXPECT_EQ(out.find("\033["), std::string::npos);  // no colour unless asked
  EXPECT_NE(render_status(as_json(sample()), {true, 0}).find("\033["), std::string::npos);
}

TEST(StatusRender, MissingValuesAreDashesNotZeros) {
  Snapshot s = sample();
  s.services.resize(1);
  s.services[0].cpu.reset();
  s.services[0].memory.reset();
  s.alerts.clear();
  std::string out = render_status(as_json(s), {});
  EXPECT_NE(out.find("redis    running  100  2h12m   0         -    -       -         ok"), std::string::npos) << out;
}

TEST(StatusRender, ExitCodeIsTheWorstOfWarningsCriticalsAndFailures) {
  Snapshot s = sample();
  EXPECT_EQ(status_exit_code(as_json(s)), 2);
  s.services[1].health = Health::Warning;
  EXPECT_EQ(status_exit_code(as_json(s)), 1);
  s.services[1].health = Health::Ok;
  EXPECT_EQ(status_exit_code(as_json(s)), 0);
  s.services[1].state = State::Failed;
  EXPECT_EQ(status_exit_code(as_json(s)), 2);
  s.services[1].state = State::Stopped;  // stopped on purpose is not a failure
  EXPECT_EQ(status_exit_code(as_json(s)), 0);
}

TEST(StatusRender, AFiringAlertOnAJobCountsInTheExitCodeAndIsListed) {
  Snapshot s = sample();
  s.alerts.clear();
  for (auto& svc : s.services) svc.health = Health::Ok;
  JobSnapshot job;
  job.name = "extract";
  s.jobs = {job};
  AlertView v;
  v.rule = "job_failed";
  v.service = "extract";
  v.severity = Severity::Critical;
  v.state = AlertState::Firing;
  v.summary = "job extract run 3 failed (exit 2)";
  s.alerts = {v};
  EXPECT_EQ(status_exit_code(as_json(s)), 2);
  EXPECT_EQ(render_job_alerts(as_json(s), {}), "    extract: job_failed firing (critical, 0.0s): job extract run 3 failed (exit 2)\n");
  s.alerts[0].state = AlertState::Pending;
  EXPECT_EQ(status_exit_code(as_json(s)), 0);
}

TEST(StatusRender, JsonCarriesEverythingTheTableShows) {
  auto j = as_json(sample());
  const auto& bad = j["services"][1];
  EXPECT_EQ(bad["state"], "backoff");
  EXPECT_EQ(bad["health"], "critical");
  EXPECT_EQ(bad["next_start_in"], 3.2);
  EXPECT_EQ(bad["last_exit"]["code"], 1);
  EXPECT_TRUE(bad["metrics"]["cpu"].is_null());
  EXPECT_EQ(j["alerts"][0]["values"]["data_age"], "1m13s");
  EXPECT_EQ(j["store"]["store_up"], true);
  EXPECT_EQ(j["rules"]["count"], 5);
  // One line for the control protocol, filtered by service.
  std::string line = to_json(sample(), {"redis"});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto filtered = nlohmann::json::parse(line);
  EXPECT_EQ(filtered["services"].size(), 1u);
  EXPECT_TRUE(filtered["alerts"].empty());
}

TEST(StatusRender, AlertsTable) {
  auto j = as_json(sample());
  std::string out = render_alerts(j["alerts"], {});
  EXPECT_NE(out.find("RULE        SERVICE"), std::string::npos) << out;
  EXPECT_NE(out.find("stale_data  a-service-with-a-rather-long-name  critical  firing  1m5s   data is 1m13s old"),
            std::string::npos)
      << out;
  EXPECT_EQ(render_alerts(nlohmann::json::array(), {}), "no active alerts\n");
}


TEST(NagiosRender, CriticalFirstLineNamesTheProblemAndPerfdataCarriesThresholds) {
  Snapshot s = sample();
  s.services[1].thresholds["data_age"] = {30.0, 60.0};
  s.services[1].data_age = 73;
  auto j = as_json(s);
  vt::PluginOutput p = vt::parse_plugin_output(render_nagios(j));
  EXPECT_EQ(p.word, "CRITICAL");
  EXPECT_EQ(p.text, "1 of 2 services critical: a-service-with-a-rather-long-name backoff");
  EXPECT_EQ(p.perf.at("services_ok"), (std::vector<std::string>{"1", "", "", "0", "2"}));
  EXPECT_EQ(p.perf.at("a-service-with-a-rather-long-name_data_age"), (std::vector<std::string>{"73s", "30", "60", "0", ""}));
  EXPECT_EQ(p.perf.at("redis_memory"), (std::vector<std::string>{"12400000B", "", "", "0", ""}));
  EXPECT_EQ(p.perf.at("a-service-with-a-rather-long-name_restarts")[0], "4c");
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(p.lines[0], "CRITICAL a-service-with-a-rather-long-name: data is 1m13s old");
  EXPECT_EQ(status_exit_code(j), 2);
}

TEST(NagiosRender, AFailedServiceIsCriticalEvenWithoutAnAlert) {
  Snapshot s = sample();
  s.alerts.clear();
  s.services[1].health = Health::Ok;
  s.services[1].state = State::Failed;
  s.services[1].failed_reason = "6 starts within 1m (start_limit_burst = 5)";
  auto j = as_json(s);
  vt::PluginOutput p = vt::parse_plugin_output(render_nagios(j));
  EXPECT_EQ(p.word, "CRITICAL");
  EXPECT_EQ(p.text, "1 of 2 services critical: a-service-with-a-rather-long-name failed (start limit)");
  EXPECT_NE(render_status(j, {}).find("critical  failed (start limit: 6 starts"), std::string::npos) << render_status(j, {});
}

TEST(NagiosRender, OkAndWarningAndVigilsOwnAlerts) {
  Snapshot s = sample();
  s.alerts.clear();
  s.services[1].state = State::Running;
  s.services[1].health = Health::Ok;
  vt::PluginOutput ok = vt::parse_plugin_output(render_nagios(as_json(s)));
  EXPECT_EQ(ok.word, "OK");
  EXPECT_EQ(ok.text, "2 of 2 services ok");
  EXPECT_TRUE(ok.lines.empty());
  AlertView v;
  v.rule = "rules_reload_failed";
  v.service = "vigil";
  v.severity = Severity::Warning;
  v.state = AlertState::Firing;
  v.summary = "rules edit rejected | keeping the 5 rules";  // a '|' would end the text early
  s.alerts = {v};
  vt::PluginOutput warn = vt::parse_plugin_output(render_nagios(as_json(s)));
  EXPECT_EQ(warn.word, "WARNING");
  EXPECT_EQ(warn.text, "1 of 2 services warning: vigil rules_reload_failed");
  EXPECT_EQ(warn.lines, std::vector<std::string>{"WARNING vigil: rules edit rejected / keeping the 5 rules"});
  EXPECT_EQ(render_nagios_unknown("permission denied on /run/v.sock: vigil runs as uid 1000"),
            "VIGIL UNKNOWN - permission denied on /run/v.sock: vigil runs as uid 1000\n");
}

TEST(StatusRender, AlertsShowNoDataAndWhatBecameOfTheAction) {
  nlohmann::json a = {{"rule", "leak"},       {"service", "bridge"},  {"severity", "critical"}, {"state", "firing"},
                      {"since", 30},          {"summary", "memory 603MB"}, {"muted_by", nullptr},
                      {"no_data_since", 100}, {"action", "restart skipped: service is failed (start limit hit; a rule does not restart it)"}};
  std::string out = render_alerts(nlohmann::json::array({a}), RenderOptions{false, 112});
  EXPECT_NE(out.find("[no data for 12s: kept as it was]"), std::string::npos) << out;
  EXPECT_NE(out.find("[action: restart skipped: service is failed"), std::string::npos) << out;
}

namespace {

// A service started with an inline script and writing escape sequences: each stays on its own line
// of `vigil status NAME`, and nothing reaches the terminal as a control byte.
TEST(StatusRender, TheDetailShowsWhatAChildWroteOnOneLineWithoutControlBytes) {
  ServiceSnapshot svc;
  svc.name = "bridge";
  svc.state = State::Running;
  svc.pid = 77;
  svc.log_counters = {{"errors", 2, "ERROR \x1b[31mred\x1b[0m", 1.0}};
  Snapshot snap;
  snap.services = {svc};
  auto d = nlohmann::json::object();
  d["service"] = nlohmann::json::parse(to_json(snap))["services"][0];
  d["processes"] = nlohmann::json::array({{{"pid", 77}, {"depth", 0}, {"comm", "python3"}, {"cmdline", "python3 -c import time\nfor i in x:\n\tpass"}},
                                          {{"pid", 78}, {"depth", 1}, {"comm", "sleep"}, {"cmdline", ""}}});
  d["log_tail"] = nlohmann::json::array({"2026-12-02T15:00:00.000Z out \x1b]0;title\x07" "done"});
  RenderOptions opt;
  opt.now = 2.0;
  std::string out = render_service_detail(d, opt);
  EXPECT_NE(out.find("77 python3 -c import time\\nfor i in x:\\n\\tpass\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\u2514\u2500 78 [sleep]\n"), std::string::npos) << "exited, not yet reaped: its name, as ps shows it\n" << out;
  EXPECT_NE(out.find("ago: ERROR \\x1b[31mred\\x1b[0m"), std::string::npos) << out;
  EXPECT_NE(out.find("out \\x1b]0;title\\x07done\n"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x07'), std::string::npos);
}

}  // namespace

namespace {

// After an upgrade the running daemon may be the older binary: its status lacks the keys added
// since. Every view renders what is there (the Debug builds of the sanitizer runs assert on a read of
// a missing key), and vigil_status exits by what it knows.
TEST(StatusRender, AStatusFromAnOlderVigilWithKeysMissingStillRenders) {
  const auto older = nlohmann::json::parse(R"({
    "vigil": {"version": "0.0.9", "pid": 10},
    "services": [{"name": "bridge", "state": "running", "pid": 11, "metrics": {"cpu": 1.5}},
                 {"name": "feed", "state": "failed"}],
    "alerts": [{"rule": "stale", "service": "bridge", "severity": "warning", "state": "firing"}]
  })");
  RenderOptions opt;
  opt.now = 100;
  std::string table = render_status(older, opt);
  EXPECT_NE(table.find("bridge"), std::string::npos) << table;
  EXPECT_NE(table.find("feed"), std::string::npos) << table;
  EXPECT_EQ(status_exit_code(older), 2);  // a failed service
  EXPECT_NE(render_alerts(older["alerts"], opt).find("stale"), std::string::npos);
  EXPECT_NE(render_nagios(older).find("feed"), std::string::npos) << render_nagios(older);
  auto detail = nlohmann::json::object({{"service", older["services"][0]}});
  EXPECT_NE(render_service_detail(detail, opt).find("bridge - running"), std::string::npos);
}

}  // namespace
