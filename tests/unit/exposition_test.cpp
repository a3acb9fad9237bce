// The /metrics exposition table, the HTTP site's answers, the dashboard's history and events.
#include "vigil/exposition.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "vigil/alert_payload.hpp"
#include "vigil/config.hpp"
#include "vigil/http_site.hpp"
#include "vigil/snapshot.hpp"

using namespace vigil;

namespace {

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Snapshot two_services() {
  Snapshot snap;
  snap.version = "9.9.9";
  snap.taken_at = 1'700'000'000;
  ServiceSnapshot web;
  web.name = "web";
  web.state = State::Running;
  web.pid = 42;
  web.uptime = 100;
  web.restarts = 3;
  web.cpu = 12.5;
  web.memory = 1'000'000;
  web.cpu_seconds_total = 7.25;
  web.custom["queue_depth"] = 17;
  web.log_lines_stdout = 12;
  ServiceSnapshot batch;
  batch.name = "batch";
  batch.state = State::Failed;
  batch.last_exit = LastExit{};
  batch.last_exit->status.code = 3;
  snap.services = {web, batch};
  AlertView a;
  a.rule = "service_failed";
  a.service = "batch";
  a.severity = Severity::Critical;
  a.state = AlertState::Firing;
  a.summary = "batch failed";
  snap.alerts = {a};
  snap.notifiers = {{"am", "webhook", 5, 1, 0, "", 0}};
  return snap;
}

}  // namespace

// docs/fleet.md shows the exposition table of the source, row for row.
TEST(Exposition, DocsTableIsTheTable) {
  std::string doc = read_doc("docs/fleet.md");
  ASSERT_FALSE(doc.empty());
  std::string table = exposition_table_markdown();
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/fleet.md should contain exactly:\n" << table;
}

// Prometheus' naming conventions: one prefix, counters and only counters end in _total, base units.
TEST(Exposition, NamesFollowPrometheusConventions) {
  std::set<std::string_view> names;
  for (const ExpositionFamily& f : exposition_table()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_TRUE(f.name.starts_with(f.self ? "process_" : "vigil_")) << f.name;
    EXPECT_EQ(f.name.ends_with("_total"), f.type == "counter") << f.name;
    EXPECT_TRUE(f.type == "counter" || f.type == "gauge") << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_EQ(f.help.find('\n'), std::string_view::npos) << f.name;
  }
}

TEST(Exposition, ServicesStateAlertsAndNotifiers) {
  Snapshot snap = two_services();
  std::string text = exposition_text({snap, nullptr});
  EXPECT_NE(text.find("# TYPE vigil_service_up gauge\nvigil_service_up{name=\"web\"} 1\nvigil_service_up{name=\"batch\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_service_state{name=\"batch\",state=\"failed\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_state{name=\"batch\",state=\"running\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_restarts_total{name=\"web\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_log_lines_total{name=\"web\",stream=\"stdout\"} 12\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_start_time_seconds{name=\"web\"} 1699999900\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("vigil_service_start_time_seconds{name=\"batch\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_cpu_seconds_total{name=\"web\"} 7.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_last_exit_code{name=\"batch\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_service_metric{name=\"web\",metric=\"queue_depth\"} 17\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_alerts{name=\"batch\",alertname=\"service_failed\",alertstate=\"firing\",severity=\"critical\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_notifications_total{notifier=\"am\",result=\"failed\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_build_info{version=\"9.9.9\"} 1\n"), std::string::npos) << text;
  // No value, no sample; a family without samples has no header either (no store here).
  EXPECT_EQ(text.find("vigil_service_data_age_seconds"), std::string::npos) << text;
  EXPECT_EQ(text.find("vigil_store_up"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_"), std::string::npos) << "no process_* in the textfile";
  SelfProcess self;
  self.open_fds = 12;
  std::string with_self = exposition_text({snap, &self});
  EXPECT_NE(with_self.find("# TYPE process_open_fds gauge\nprocess_open_fds 12\n"), std::string::npos) << with_self;
}

// Probes and log-match counters: the verdict after thresholds (none before the first), the last
// check's duration, checks by result, and one counter per pattern.
TEST(Exposition, ProbesAndLogMatches) {
  Snapshot snap;
  ServiceSnapshot s;
  s.name = "api";
  ProbeView passing;
  passing.name = "http";
  passing.state = ProbeState::Passing;
  passing.latency = 0.25;
  passing.checks = 10;
  passing.failed_checks = 3;
  ProbeView unknown;
  unknown.name = "tcp";
  unknown.state = ProbeState::Unknown;
  ProbeView failing;
  failing.name = "exec";
  failing.state = ProbeState::Failing;
  s.probes = {passing, unknown, failing};
  LogCounterView errors;
  errors.name = "errors";
  errors.count = 42;
  s.log_counters = {errors};
  snap.services = {s};
  std::string text = exposition_text({snap, nullptr});
  EXPECT_NE(text.find("vigil_probe_success{name=\"api\",probe=\"http\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_probe_success{name=\"api\",probe=\"exec\"} 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("vigil_probe_success{name=\"api\",probe=\"tcp\"}"), std::string::npos) << "no verdict yet";
  EXPECT_NE(text.find("vigil_probe_duration_seconds{name=\"api\",probe=\"http\"} 0.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_probe_checks_total{name=\"api\",probe=\"http\",result=\"passed\"} 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_probe_checks_total{name=\"api\",probe=\"http\",result=\"failed\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_log_matches_total{name=\"api\",match=\"errors\"} 42\n"), std::string::npos) << text;
}

TEST(Exposition, LabelValuesAreEscaped) {
  Snapshot snap;
  ServiceSnapshot s;
  s.name = "a\"b\\c\nd";
  snap.services = {s};
  std::string text = exposition_text({snap, nullptr});
  EXPECT_NE(text.find("vigil_service_up{name=\"a\\\"b\\\\c\\nd\"} 0\n"), std::string::npos) << text;
}

TEST(HttpSite, AnswersFromThePublishedSnapshot) {
  HttpSite site([] { return SelfProcess{}; });
  EXPECT_EQ(site.answer("GET", "/-/healthy", "").status, 200u);
  EXPECT_EQ(site.answer("GET", "/-/ready", "").status, 503u);
  EXPECT_EQ(site.answer("GET", "/metrics", "").status, 503u);
  Snapshot snap = two_services();
  site.publish(snap);
  EXPECT_EQ(site.answer("GET", "/-/ready", "").status, 503u) << "services not launched yet";
  site.set_ready(true);
  EXPECT_EQ(site.answer("GET", "/-/ready", "").status, 200u);
  HttpAnswer m = site.answer("GET", "/metrics", "");
  EXPECT_EQ(m.status, 200u);
  EXPECT_EQ(m.content_type, kExpositionContentType);
  EXPECT_NE(m.body.find("process_max_fds"), std::string::npos);
  HttpAnswer st = site.answer("GET", "/api/v1/status?x=1", "");
  EXPECT_EQ(st.content_type, "application/json");
  EXPECT_EQ(st.body, to_json(snap));
  EXPECT_EQ(site.answer("HEAD", "/", "").status, 200u);
  EXPECT_NE(site.answer("GET", "/", "").body.find("<title>vigil</title>"), std::string::npos);
  HttpAnswer post = site.answer("POST", "/metrics", "");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.allow, "GET, HEAD");
  EXPECT_EQ(site.answer("GET", "/nope", "").status, 404u);
  EXPECT_EQ(site.answer("GET", "/api/v1/alerts", "").body, alerts_json(snap));
}

TEST(HttpSite, ATokenIsRequiredOnEveryPathWhenSet) {
  HttpSite site(nullptr);
  site.publish(two_services());
  site.set_token("s3cret-token-0123456789");
  for (const char* path : {"/", "/metrics", "/-/healthy", "/api/v1/status"}) {
    HttpAnswer a = site.answer("GET", path, "");
    EXPECT_EQ(a.status, 401u) << path;
    EXPECT_TRUE(a.authenticate);
    EXPECT_EQ(site.answer("GET", path, "Bearer wrong").status, 401u) << path;
    EXPECT_EQ(site.answer("GET", path, "Bearer s3cret-token-012345678").status, 401u) << path;
    EXPECT_EQ(site.answer("GET", path, "Basic s3cret-token-0123456789").status, 401u) << path;
    EXPECT_EQ(site.answer("GET", path, "Bearer s3cret-token-0123456789").status, 200u) << path;
  }
}

TEST(DashboardHistory, KeepsAnHourPerServiceAndForgetsRemovedOnes) {
  DashboardHistory h;
  Snapshot snap = two_services();
  for (int i = 0; i < 1000; ++i) {
    snap.taken_at = 1'700'000'000 + i * 10.0;
    snap.services[0].cpu = i % 2 ? 10.0 : 20.0;
    h.record(snap);
  }
  ASSERT_EQ(h.series().size(), 2u);
  const auto& web = h.series().at("web");
  EXPECT_EQ(web.cpu.size(), DashboardHistory::kPoints);
  EXPECT_NEAR(web.cpu.back(), 15.0, 3.4) << "a point is the average of its samples";
  EXPECT_TRUE(std::isnan(h.series().at("batch").cpu.back())) << "no value is not zero";
  nlohmann::json j = nlohmann::json::parse(h.json());
  EXPECT_EQ(j["services"]["web"]["cpu"].size(), DashboardHistory::kPoints);
  EXPECT_NEAR(j["services"]["web"]["cpu"].back().get<double>(), 15.0, 3.4);
  EXPECT_TRUE(j["services"]["batch"]["cpu"][0].is_null());
  snap.services.pop_back();
  h.record(snap);
  EXPECT_EQ(h.series().count("batch"), 0u);
}

TEST(DashboardEvents, StartsExitsAlertsAndReloadsBounded) {
  DashboardEvents ev;
  Snapshot a = two_services();
  a.alerts.clear();
  ev.compare(nullptr, a);
  ASSERT_EQ(ev.events().size(), 1u);
  EXPECT_EQ(ev.events()[0].kind, "start");
  EXPECT_EQ(ev.events()[0].service, "web");
  Snapshot b = a;
  b.services[0].exits = 1;
  b.services[0].pid = 43;
  b.services[0].last_exit = LastExit{};
  b.services[0].last_exit->status.code = 1;
  b.alerts = two_services().alerts;
  b.reload.at = 5;
  b.reload.ok = false;
  b.reload.result = "config refused, the one in force stays: vigil.toml:3:1: oops";
  ev.compare(&a, b);
  std::string all = ev.json();
  EXPECT_NE(all.find("\"kind\":\"exit\""), std::string::npos) << all;
  EXPECT_NE(all.find("started, pid 43"), std::string::npos) << all;
  EXPECT_NE(all.find("critical service_failed: batch failed"), std::string::npos) << all;
  EXPECT_NE(all.find("reload rejected: config refused, the one in force stays: vigil.toml:3:1: oops"), std::string::npos) << all;
  ev.compare(&b, a);
  EXPECT_NE(ev.json().find("\"kind\":\"resolved\",\"service\":\"batch\",\"text\":\"service_failed resolved\""),
            std::string::npos)
      << ev.json();
  for (int i = 0; i < 1000; ++i) ev.compare(i % 2 ? &a : &b, i % 2 ? b : a);
  EXPECT_EQ(ev.events().size(), DashboardEvents::kMax);
}

TEST(HttpListen, AddressesPortsAndOff) {
  std::string err;
  auto l = parse_http_listen("127.0.0.1:9464", &err);
  ASSERT_TRUE(l) << err;
  EXPECT_TRUE(l->loopback);
  EXPECT_EQ(l->str(), "127.0.0.1:9464");
  l = parse_http_listen("[::1]:80", &err);
  ASSERT_TRUE(l) << err;
  EXPECT_TRUE(l->loopback);
  EXPECT_EQ(l->str(), "[::1]:80");
  l = parse_http_listen("0.0.0.0:9464", &err);
  ASSERT_TRUE(l) << err;
  EXPECT_FALSE(l->loopback);
  l = parse_http_listen("off", &err);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, HttpListen::Kind::Off);
  EXPECT_FALSE(parse_http_listen("localhost:9464", &err));
  EXPECT_NE(err.find("not an IP address"), std::string::npos) << err;
  EXPECT_FALSE(parse_http_listen("127.0.0.1:0", &err));
  EXPECT_FALSE(parse_http_listen("127.0.0.1:99999", &err));
  EXPECT_FALSE(parse_http_listen("::1:80", &err));
  EXPECT_FALSE(parse_http_listen("9464", &err));
}

TEST(HttpListen, ConfigDefaultsToLoopbackAndRefusesAnOpenPortWithoutAToken) {
  EnvLookup env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "HOME") return "/home/u";
    return std::nullopt;
  };
  ConfigResult r = parse_config("[service.a]\ncommand = [\"true\"]\n", "/etc/vigil/vigil.toml", env);
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front().str());
  EXPECT_EQ(r.config->vigil.http.str(), "127.0.0.1:9464");
  r = parse_config("[vigil]\nhttp = \"off\"\n[service.a]\ncommand = [\"true\"]\n", "/etc/vigil/vigil.toml", env);
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front().str());
  EXPECT_EQ(r.config->vigil.http.kind, HttpListen::Kind::Off);
  r = parse_config("[vigil]\nhttp = \"/run/vigil/http.sock\"\n[service.a]\ncommand = [\"true\"]\n", "/etc/vigil/vigil.toml", env);
  ASSERT_TRUE(r.config) << r.errors.front().str();
  EXPECT_EQ(r.config->vigil.http.str(), "unix:/run/vigil/http.sock");
  r = parse_config("[vigil]\nhttp = \"0.0.0.0:9464\"\n", "/etc/vigil/vigil.toml", env);
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.errors.front().str().find("needs http_token_file"), std::string::npos) << r.errors.front().str();
  r = parse_config("[vigil]\nhttp = \"example.org:9464\"\ntextfile = \"/x/vigil.txt\"\n", "/etc/vigil/vigil.toml", env);
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.errors.size(), 2u);
}

// Alertmanager's v2 payload: the notifier's labels join vigil's own (never replace them),
// generatorURL links the dashboard, a firing alert's endsAt is a lease, a resolution's is its time.
TEST(AlertmanagerPayload, LabelsGeneratorUrlAndEndsAt) {
  Notification n;
  n.kind = Notification::Kind::Firing;
  n.alert.rule = "stale_data";
  n.alert.service = "scan-bridge";
  n.alert.severity = Severity::Critical;
  n.alert.summary = "old";
  n.alert.fired_at = 1'700'000'000;
  n.at = 1'700'000'000;
  auto j = nlohmann::json::parse(alertmanager_json(n, "host1", 300, {{"site", "fra1"}, {"job", "nope"}},
                                                   "http://host1:9464/#svc-scan-bridge"));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["labels"]["site"], "fra1");
  EXPECT_EQ(j[0]["labels"]["job"], "vigil");
  EXPECT_EQ(j[0]["labels"]["alertname"], "stale_data");
  EXPECT_EQ(j[0]["labels"]["instance"], "host1");
  EXPECT_EQ(j[0]["generatorURL"], "http://host1:9464/#svc-scan-bridge");
  EXPECT_EQ(j[0]["startsAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j[0]["endsAt"], "2023-11-14T22:18:20.000Z");
  n.kind = Notification::Kind::Resolved;
  n.at += 60;
  j = nlohmann::json::parse(alertmanager_json(n, "host1", 300));
  EXPECT_EQ(j[0]["endsAt"], "2023-11-14T22:14:20.000Z");
  EXPECT_FALSE(j[0].contains("generatorURL"));
}

// Grafana's dashboard (docs/examples) queries only metrics of the table (or Prometheus' own `up`).
TEST(Exposition, TheGrafanaDashboardQueriesOnlyTheseMetrics) {
  auto dash = nlohmann::json::parse(read_doc("docs/examples/grafana-vigil.json"));
  std::set<std::string> known = {"up"};
  for (const ExpositionFamily& f : exposition_table()) known.insert(std::string(f.name));
  int exprs = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if ((it.key() == "expr" || it.key() == "definition") && it->is_string()) {
          ++exprs;
          std::string e = *it;
          for (std::size_t at = 0; (at = e.find_first_of("pv", at)) != std::string::npos; ++at) {
            if (at > 0 && (std::isalnum(static_cast<unsigned char>(e[at - 1])) || e[at - 1] == '_')) continue;
            if (e.compare(at, 6, "vigil_") != 0 && e.compare(at, 8, "process_") != 0) continue;
            std::size_t end = at;
            while (end < e.size() && (std::isalnum(static_cast<unsigned char>(e[end])) || e[end] == '_')) ++end;
            std::string name = e.substr(at, end - at);
            EXPECT_TRUE(known.count(name)) << name << " in " << e;
          }
        }
        walk(*it);
      }
    } else if (j.is_array()) {
      for (const auto& x : j) walk(x);
    }
  };
  walk(dash);
  EXPECT_GT(exprs, 10);
}

// Jobs: running, the last finished run's verdict and duration, the last success and the next run.
TEST(Exposition, Jobs) {
  Snapshot snap;
  JobSnapshot idle;
  idle.name = "nightly";
  idle.next_run = 1700000000;
  AttemptRecord a;
  a.result = RunResult::Failed;
  a.started = 100;
  a.ended = 102.5;
  idle.last_finished = a;
  idle.last_success_at = 50;
  JobSnapshot fresh;
  fresh.name = "backfill";
  fresh.run = ActiveRun{};
  snap.jobs = {idle, fresh};
  std::string text = exposition_text({snap, nullptr});
  EXPECT_NE(text.find("vigil_job_running{name=\"nightly\"} 0\nvigil_job_running{name=\"backfill\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_job_last_run_success{name=\"nightly\"} 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("vigil_job_last_run_success{name=\"backfill\"}"), std::string::npos) << "no run finished yet";
  EXPECT_NE(text.find("vigil_job_last_duration_seconds{name=\"nightly\"} 2.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_job_last_success_timestamp_seconds{name=\"nightly\"} 50\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_job_next_run_timestamp_seconds{name=\"nightly\"} 1700000000\n"), std::string::npos) << text;
}
