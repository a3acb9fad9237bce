// [service.NAME.probe.*], ready = "probe:NAME", ready_log, log_match: read and checked, errors with
// file, line and column.
#include <gtest/gtest.h>

#include <map>

#include "vigil/config.hpp"
#include "vigil/spec_diff.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

ConfigResult parse(const std::string& text) {
  EnvLookup env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "HOME") return std::string("/home/op");
    return std::nullopt;
  };
  return parse_config(text, "/etc/v/vigil.toml", env);
}

std::string errors(const ConfigResult& r) {
  std::string s;
  for (const auto& d : r.errors) s += d.str() + "\n";
  return s;
}

void expect_error(const std::string& text, const std::string& expected) {
  ConfigResult r = parse(text);
  EXPECT_FALSE(r.config);
  EXPECT_NE(errors(r).find(expected), std::string::npos) << "expected: " << expected << "\ngot:\n" << errors(r);
}

const char* kApi = "[service.api]\ncommand = [\"api\"]\n";

}  // namespace

TEST(ConfigProbes, EveryKeyIsRead) {
  ConfigResult r = parse(std::string(kApi) +
                         "ready = \"probe:http\"\n"
                         "log_match = { errors = \"ERROR|Traceback\", slow = \"took [0-9]{4,}ms\" }\n"
                         "[service.api.probe.http]\ntype = \"http\"\nurl = \"http://127.0.0.1:8080/healthz\"\n"
                         "status = 204\nbody = \"ok\"\nperiod = \"5s\"\ntimeout = \"1s\"\ninitial_delay = \"2s\"\n"
                         "failure_threshold = 4\nsuccess_threshold = 2\n"
                         "[service.api.probe.boot]\ntype = \"tcp\"\naddress = \"127.0.0.1:6379\"\nstartup = true\n"
                         "start_timeout = \"2m\"\n"
                         "[service.api.probe.cli]\ntype = \"exec\"\ncommand = [\"redis-cli\", \"ping\"]\n");
  ASSERT_TRUE(r.config) << errors(r);
  const ServiceSpec& s = r.config->services[0];
  ASSERT_EQ(s.probes.size(), 3u);
  EXPECT_EQ(s.probes[0].name, "boot");  // by name
  EXPECT_EQ(s.probes[0].kind, ProbeKind::Tcp);
  EXPECT_TRUE(s.probes[0].startup);
  EXPECT_EQ(s.probes[0].start_timeout, 120s);
  EXPECT_EQ(s.probes[1].command, (std::vector<std::string>{"redis-cli", "ping"}));
  const ProbeSpec* http = s.probe("http");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->status, 204);
  EXPECT_EQ(http->body, "ok");
  EXPECT_EQ(http->period, 5s);
  EXPECT_EQ(http->timeout, 1s);
  EXPECT_EQ(http->initial_delay, 2s);
  EXPECT_EQ(http->failure_threshold, 4);
  EXPECT_EQ(http->success_threshold, 2);
  EXPECT_EQ(s.ready, ReadyMode::Probe);
  EXPECT_EQ(s.ready_probe, "http");
  ASSERT_EQ(s.log_match.size(), 2u);
  EXPECT_EQ(s.log_match[0].first, "errors");
  auto declared = r.config->declared_metrics();
  EXPECT_EQ(declared["probe.http"], MetricType::Bool);
  EXPECT_EQ(declared["probe_latency.cli"], MetricType::Duration);
  EXPECT_EQ(declared["probe_failures.boot"], MetricType::Plain);
  EXPECT_EQ(declared["log.slow"], MetricType::Plain);
}

TEST(ConfigProbes, DefaultsFollowKubernetes) {
  ConfigResult r = parse(std::string(kApi) + "[service.api.probe.tcp]\ntype = \"tcp\"\naddress = \"localhost:1\"\n");
  ASSERT_TRUE(r.config) << errors(r);
  const ProbeSpec& p = r.config->services[0].probes[0];
  EXPECT_EQ(p.period, 10s);
  EXPECT_EQ(p.timeout, 1s);
  EXPECT_EQ(p.failure_threshold, 3);
  EXPECT_EQ(p.success_threshold, 1);
  EXPECT_FALSE(p.startup);
}

TEST(ConfigProbes, ErrorsNameTheFileLineColumnAndKey) {
  expect_error(std::string(kApi) + "[service.api.probe.http]\nurl = \"http://x/\"\n",
               "vigil.toml:3:1: [service.api.probe.http]: type is required");
  expect_error(std::string(kApi) + "[service.api.probe.http]\ntype = \"htp\"\n",
               "vigil.toml:4:8: [service.api.probe.http] type: unknown value \"htp\"");
  expect_error(std::string(kApi) + "[service.api.probe.http]\ntype = \"http\"\nurl = \"https://x/\"\n",
               "vigil.toml:5:7: [service.api.probe.http] url: only http:// URLs can be probed");
  expect_error(std::string(kApi) + "[service.api.probe.t]\ntype = \"tcp\"\naddress = \"nohost\"\n",
               "[service.api.probe.t] address: 'nohost' is not HOST:PORT");
  expect_error(std::string(kApi) + "[service.api.probe.t]\ntype = \"tcp\"\naddress = \"h:1\"\nurl = \"http://x/\"\n",
               "[service.api.probe.t] url: is for type = \"http\" probes; this one is type = \"tcp\"");
  expect_error(std::string(kApi) + "[service.api.probe.e]\ntype = \"exec\"\ncommand = \"redis-cli ping\"\n",
               "command: must be an array of arguments, no shell is used: command = [\"redis-cli\", \"ping\"]");
  expect_error(std::string(kApi) + "[service.api.probe.h]\ntype = \"http\"\nurl = \"http://x/\"\nbody = \"(\"\n",
               "[service.api.probe.h] body: not a valid regular expression");
  expect_error(std::string(kApi) + "[service.api.probe.h]\ntype = \"http\"\nurl = \"http://x/\"\nperiod = \"0s\"\n",
               "[service.api.probe.h] period: must be greater than 0");
  expect_error(std::string(kApi) + "[service.api.probe.h]\ntype = \"http\"\nurl = \"http://x/\"\nperiode = \"1s\"\n",
               "[service.api.probe.h]: unknown key 'periode' (did you mean 'period'?)");
  expect_error(std::string(kApi) + "[service.api.probe.Http]\ntype = \"http\"\nurl = \"http://x/\"\n",
               "invalid probe name 'Http'");
  expect_error(std::string(kApi) + "[service.api.probe.h]\ntype = \"http\"\nurl = \"http://x/\"\nstart_timeout = \"1m\"\n",
               "start_timeout: only a startup = true probe has a start_timeout");
  expect_error(std::string(kApi) + "[service.api.probe.a]\ntype = \"tcp\"\naddress = \"h:1\"\nstartup = true\n"
                                   "[service.api.probe.b]\ntype = \"tcp\"\naddress = \"h:1\"\nstartup = true\n",
               "at most one startup probe");
}

TEST(ConfigProbes, ReadyProbeMustNameAProbe) {
  expect_error(std::string(kApi) + "ready = \"probe:htp\"\n[service.api.probe.http]\ntype = \"http\"\nurl = \"http://x/\"\n",
               "vigil.toml:3:9: [service.api] ready: \"probe:htp\" names no probe of this service (did you mean 'http'?)");
  expect_error(std::string(kApi) + "ready = \"probes\"\n", "[service.api] ready: unknown value \"probes\"");
}

TEST(ConfigProbes, ReadyLogAndLogMatch) {
  ConfigResult r = parse(std::string(kApi) + "ready_log = \"listening on [0-9]+\"\n");
  ASSERT_TRUE(r.config) << errors(r);
  EXPECT_EQ(r.config->services[0].ready, ReadyMode::Log);
  EXPECT_EQ(r.config->services[0].ready_log, "listening on [0-9]+");
  expect_error(std::string(kApi) + "ready_log = \"(\"\n", "[service.api] ready_log: not a valid regular expression");
  expect_error(std::string(kApi) + "ready = \"notify\"\nready_log = \"x\"\n", "ready_log: replaces ready");
  expect_error(std::string(kApi) + "log_match = { errors = \"[\" }\n", "[service.api] log_match.errors: not a valid regular expression");
  expect_error(std::string(kApi) + "log_match = { Errors = \"x\" }\n", "invalid counter name 'Errors'");
  expect_error(std::string(kApi) + "log_match = { errors = 1 }\n", "log_match.errors: expected a regular expression string");
  expect_error(std::string(kApi) + "log_match = \"ERROR\"\n", "log_match: expected a table");
}

TEST(ConfigProbes, ProbeAndLogMatchChangesApplyLive) {
  ConfigResult a = parse(std::string(kApi) + "[service.api.probe.t]\ntype = \"tcp\"\naddress = \"h:1\"\n");
  ConfigResult b = parse(std::string(kApi) + "log_match = { e = \"E\" }\n[service.api.probe.t]\ntype = \"tcp\"\naddress = \"h:2\"\n");
  ASSERT_TRUE(a.config && b.config);
  EXPECT_FALSE(a.config->services[0] == b.config->services[0]);
  SpecChange c = compare_specs(a.config->services[0], b.config->services[0]);
  EXPECT_FALSE(c.restart);
  EXPECT_EQ(c.keys, (std::vector<std::string>{"probe", "log_match"}));
}
