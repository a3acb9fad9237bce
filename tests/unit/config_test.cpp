#include "vigil/config.hpp"
#include "vigil/spec_diff.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars = {}) {
  vars.emplace("HOME", "/home/op");
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigResult parse(const std::string& text, EnvLookup env = fake_env()) {
  return parse_config(text, "/etc/v/vigil.toml", env);
}

// All diagnostics joined, one per line, for readable failures.
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

}  // namespace

TEST(Config, ReadsEveryServiceKey) {
  ConfigResult r = parse(R"(
[vigil]
sample_interval = "500ms"
log_max_size = "10MiB"
log_keep = 3
log_overflow = "drop"
log_dir = "~/logs"
socket = "$XDG_RUNTIME_DIR/v.sock"

[store]
url = "redis://127.0.0.1:6379/0"
timeout = "250ms"

[service.redis]
command = ["redis-server", "--port", "6390"]

[service.scan-bridge]
command = ["python3", "-u", "scan_bridge.py"]
cwd = "/srv/bridge"
env = { SCAN_DIR = "/srv/scans" }
after = ["redis"]
ready = "notify"
start_timeout = "20s"
restart = "on-failure"
restart_delay = "2s"
backoff_max = "1m"
stable_after = "45s"
start_limit_burst = 7
start_limit_interval = "2m"
failed_retry = "never"
restart_prevent_exit_codes = [78, 64]
stop_signal = "SIGINT"
stop_timeout = "5s"
watchdog = "30s"
health_grace = "20s"
freshness = { key = "latest_scan", field = "ts", format = "unix_ms" }
metrics = { lag = { key = "latest_scan", field = "lag_s" } }
)", fake_env({{"XDG_RUNTIME_DIR", "/run/user/1000"}}));
  ASSERT_TRUE(r.config) << errors(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.vigil.sample_interval, 500ms);
  EXPECT_EQ(c.vigil.log_max_size, 10u * 1024 * 1024);
  EXPECT_EQ(c.vigil.log_keep, 3);
  EXPECT_EQ(c.vigil.log_overflow, OverflowPolicy::Drop);
  EXPECT_EQ(c.vigil.log_dir, "/home/op/logs");
  EXPECT_EQ(c.vigil.socket, "/run/user/1000/v.sock");
  ASSERT_TRUE(c.store);
  EXPECT_EQ(c.store->timeout, 250ms);
  ASSERT_EQ(c.services.size(), 2u);
  EXPECT_EQ(c.services[0].name, "redis");  // file order
  EXPECT_EQ(c.services[0].cwd, "/etc/v");  // default: the config's folder
  const ServiceSpec& s = c.services[1];
  EXPECT_EQ(s.command, (std::vector<std::string>{"python3", "-u", "scan_bridge.py"}));
  EXPECT_EQ(s.cwd, "/srv/bridge");
  EXPECT_EQ(s.env, (std::vector<std::pair<std::string, std::string>>{{"SCAN_DIR", "/srv/scans"}}));
  EXPECT_EQ(s.after, std::vector<std::string>{"redis"});
  EXPECT_EQ(s.ready, ReadyMode::Notify);
  EXPECT_EQ(s.start_timeout, 20s);
  EXPECT_EQ(s.restart.mode, RestartMode::OnFailure);
  EXPECT_EQ(s.restart.restart_delay, 2s);
  EXPECT_EQ(s.restart.backoff_max, 60s);
  EXPECT_EQ(s.restart.stable_after, 45s);
  EXPECT_EQ(s.restart.start_limit_burst, 7);
  EXPECT_EQ(s.restart.start_limit_interval, 120s);
  EXPECT_FALSE(s.restart.failed_retry);
  EXPECT_EQ(s.restart.prevent_exit_codes, (std::vector<int>{78, 64}));
  EXPECT_EQ(s.stop_signal, 2);
  EXPECT_EQ(s.stop_timeout, 5s);
  EXPECT_EQ(s.watchdog, 30s);
  EXPECT_EQ(s.health_grace, 20s);
  ASSERT_TRUE(s.freshness);
  EXPECT_EQ(s.freshness->format, FreshnessFormat::UnixMs);
  EXPECT_EQ(s.metrics.at("lag").field, "lag_s");
}

TEST(Config, AUnixStoreSocketIsAPathLikeAnyOther) {
  ConfigResult r = parse("[store]\nurl = \"unix:run/redis.sock?db=2\"\n[service.a]\ncommand = [\"x\"]\n");
  ASSERT_TRUE(r.config) << errors(r);
  EXPECT_EQ(r.config->store->url, "unix:/etc/v/run/redis.sock?db=2");
}

TEST(Config, DefaultsFollowXdg) {
  ConfigResult r = parse("[service.a]\ncommand = [\"true\"]\n", fake_env({{"XDG_STATE_HOME", "/st"}}));
  ASSERT_TRUE(r.config) << errors(r);
  EXPECT_EQ(r.config->vigil.log_dir, "/st/vigil/logs");
  EXPECT_EQ(r.config->vigil.log_keep, 5);
  EXPECT_EQ(r.config->services[0].restart.restart_delay, 1s);
  EXPECT_EQ(r.config->services[0].stop_signal, 15);
  ConfigResult home = parse("[service.a]\ncommand = [\"true\"]\n");
  EXPECT_EQ(home.config->vigil.log_dir, "/home/op/.local/state/vigil/logs");
}

TEST(ConfigErrors, UnknownKeySuggestsTheRightOne) {
  expect_error("[service.a]\ncommand = [\"x\"]\nrestart_dely = \"1s\"\n",
               "vigil.toml:3:1: [service.a]: unknown key 'restart_dely' (did you mean 'restart_delay'?)");
  expect_error("[vigil]\nlog_kep = 3\n[service.a]\ncommand = [\"x\"]\n",
               "vigil.toml:2:1: [vigil]: unknown key 'log_kep' (did you mean 'log_keep'?)");
  expect_error("[servce.a]\ncommand = [\"x\"]\n", "unknown key 'servce' (did you mean 'service'?)");
}

TEST(ConfigErrors, AStringCommandShowsTheArrayForm) {
  expect_error("[service.a]\ncommand = \"python3 -u x.py\"\n",
               "vigil.toml:2:11: [service.a] command: must be an array of arguments, no shell is used: "
               "command = [\"python3\", \"-u\", \"x.py\"]");
}

TEST(ConfigErrors, MissingAndEmptyCommand) {
  expect_error("[service.a]\ncwd = \"/\"\n", "vigil.toml:1:1: [service.a]: command is required");
  expect_error("[service.a]\ncommand = []\n", "vigil.toml:2:11: [service.a] command: must name a program");
}

TEST(ConfigErrors, DurationsSizesAndChoices) {
  expect_error("[service.a]\ncommand = [\"x\"]\nrestart_delay = \"10x\"\n",
               "vigil.toml:3:17: [service.a] restart_delay: invalid duration '10x'");
  expect_error("[service.a]\ncommand = [\"x\"]\nstop_timeout = 10\n",
               "vigil.toml:3:16: [service.a] stop_timeout: a duration needs a unit: write \"10s\"");
  expect_error("[vigil]\nlog_max_size = \"5XB\"\n[service.a]\ncommand = [\"x\"]\n",
               "vigil.toml:2:16: [vigil] log_max_size: unknown size unit 'XB'");
  expect_error("[service.a]\ncommand = [\"x\"]\nrestart = \"alway\"\n",
               "vigil.toml:3:11: [service.a] restart: unknown value \"alway\": expected one of \"always\", "
               "\"on-failure\", \"never\" (did you mean 'always'?)");
  expect_error("[service.a]\ncommand = [\"x\"]\nstop_timeout = \"0s\"\n", "stop_timeout: must be greater than 0");
  expect_error("[service.a]\ncommand = [\"x\"]\nrestart_delay = \"2m\"\nbackoff_max = \"1m\"\n",
               "restart_delay: 2m is longer than backoff_max (1m)");
}

TEST(ConfigErrors, Signals) {
  expect_error("[service.a]\ncommand = [\"x\"]\nstop_signal = \"TERMINATE\"\n",
               "vigil.toml:3:15: [service.a] stop_signal: unknown signal \"TERMINATE\"");
  ConfigResult r = parse("[service.a]\ncommand = [\"x\"]\nstop_signal = 15\n");
  ASSERT_TRUE(r.config) << errors(r);
  EXPECT_EQ(r.config->services[0].stop_signal, 15);
}

TEST(ConfigErrors, IntegersOutOfRangeAreNotTruncated) {
  // toml11's find<int> would turn this into 1215752191 silently.
  expect_error("[service.a]\ncommand = [\"x\"]\nstart_limit_burst = 99999999999\n",
               "vigil.toml:3:21: [service.a] start_limit_burst: 99999999999 is out of range (1 to 1000000)");
  expect_error("[service.a]\ncommand = [\"x\"]\nrestart_prevent_exit_codes = [78, 300]\n",
               "restart_prevent_exit_codes: 300 is out of range (0 to 255)");
  expect_error("[vigil]\nlog_keep = -1\n[service.a]\ncommand = [\"x\"]\n", "log_keep: -1 is out of range");
}

TEST(ConfigErrors, AfterNamesUnknownServicesOrACycle) {
  expect_error("[service.a]\ncommand = [\"x\"]\nafter = [\"bb\"]\n[service.b]\ncommand = [\"x\"]\n",
               "vigil.toml:3:9: [service.a] after: unknown service 'bb' (did you mean 'b'?)");
  expect_error("[service.a]\ncommand = [\"x\"]\nafter = [\"a\"]\n", "a service cannot wait for itself");
  expect_error(
      "[service.a]\ncommand = [\"x\"]\nafter = [\"c\"]\n[service.b]\ncommand = [\"x\"]\nafter = [\"a\"]\n"
      "[service.c]\ncommand = [\"x\"]\nafter = [\"b\"]\n",
      "dependency cycle: a -> c -> b -> a");
}

TEST(ConfigErrors, DuplicateServiceNameIsASyntaxErrorWithItsLine) {
  expect_error("[service.a]\ncommand = [\"x\"]\n[service.a]\ncommand = [\"y\"]\n",
               "vigil.toml:3:1: TOML syntax error: table (\"service.a\") already exists.");
}

TEST(ConfigErrors, SyntaxErrorPointsAtTheSpot) {
  // An unterminated array is noticed where the file ends.
  expect_error("[service.a]\ncommand = [\"x\"\n", "vigil.toml:3:1: TOML syntax error: missing array separator");
  expect_error("[vigil]\nlog_keep = \n", "vigil.toml:2:12: TOML syntax error: missing value");
}

TEST(ConfigErrors, EveryErrorAtOnceInFileOrder) {
  ConfigResult r = parse(
      "[vigil]\nlog_keep = \"5\"\n[service.a]\ncommand = \"x\"\nstop_signal = \"NOPE\"\n[service.b]\nrestart = 1\n");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 5u) << errors(r);
  EXPECT_EQ(r.errors[0].line, 2u);  // log_keep is a string
  EXPECT_EQ(r.errors[1].line, 4u);  // a: command is a string
  EXPECT_EQ(r.errors[2].line, 5u);  // a: unknown signal
  EXPECT_EQ(r.errors[3].line, 6u);  // b: command is required
  EXPECT_EQ(r.errors[4].line, 7u);  // b: restart is an integer
}

TEST(ConfigErrors, BadNamesAndFreshness) {
  expect_error("[service.\"a/b\"]\ncommand = [\"x\"]\n", "invalid service name 'a/b'");
  expect_error("[service.a]\ncommand = [\"x\"]\nfreshness = { key = \"k\", field = \"f\", format = \"stream\" }\n",
               "format = \"stream\" takes its time from the last entry ID: remove field");
  expect_error("[service.a]\ncommand = [\"x\"]\nmetrics = { cpu = { key = \"k\" } }\n",
               "'cpu' is a built-in metric");
  expect_error("[service.a]\ncommand = [\"x\"]\nenv = { N = 5 }\n", "env.N: expected a string, got an integer");
  expect_error("[store]\ntimeout = \"1s\"\n[service.a]\ncommand = [\"x\"]\n", "[store]: url is required");
}

TEST(ConfigErrors, UnsetVariableInAPath) {
  expect_error("[vigil]\nlog_dir = \"$NOPE/logs\"\n[service.a]\ncommand = [\"x\"]\n",
               "vigil.toml:2:11: [vigil] log_dir: environment variable $NOPE is not set");
}

TEST(ConfigErrors, NoServices) { expect_error("[vigil]\nlog_keep = 1\n", "no services or jobs defined"); }

TEST(Config, DefinitionEqualityIgnoresPosition) {
  ConfigResult a = parse("[service.a]\ncommand = [\"x\"]\n");
  ConfigResult b = parse("\n\n[service.a]\ncommand = [\"x\"]\n");
  ConfigResult c = parse("[service.a]\ncommand = [\"y\"]\n");
  EXPECT_TRUE(a.config->services[0] == b.config->services[0]);
  EXPECT_FALSE(a.config->services[0] == c.config->services[0]);
}

TEST(SpecDiff, MonitoringKeysApplyLiveProcessKeysRestart) {
  const std::string base = "[service.a]\ncommand = [\"x\"]\n";
  auto diff = [&](const std::string& extra_before, const std::string& extra_after) {
    ConfigResult a = parse(base + extra_before), b = parse(base + extra_after);
    EXPECT_TRUE(a.config && b.config) << errors(a) << errors(b);
    return compare_specs(a.config->services[0], b.config->services[0]);
  };
  SpecChange live = diff("health_grace = \"5s\"\n", "health_grace = \"10s\"\nfreshness = { key = \"k\" }\n"
                                                      "metrics = { lag = { key = \"l\" } }\nstop_timeout = \"3s\"\n");
  EXPECT_FALSE(live.restart);
  EXPECT_EQ(live.keys, (std::vector<std::string>{"stop_timeout", "health_grace", "freshness", "metrics"}));
  SpecChange env = diff("", "env = { A = \"1\" }\nrestart_delay = \"2s\"\n");
  EXPECT_TRUE(env.restart);
  EXPECT_EQ(env.keys, (std::vector<std::string>{"env", "restart_delay"}));
  EXPECT_TRUE(diff("", "cwd = \"/tmp\"\n").restart);
  EXPECT_TRUE(diff("", "watchdog = \"5s\"\n").restart);
  EXPECT_TRUE(diff("", "").keys.empty());
}

TEST(ConfigJobs, ReadsAJobWithEveryKey) {
  ConfigResult r = parse(
      "[job.extract]\ncommand = [\"pipeline\", \"extract\"]\nschedule = \"0 2 * * *\"\ntimezone = \"UTC\"\n"
      "condition = [\"pipeline\", \"check\"]\ntimeout = \"2h\"\noutput_timeout = \"10m\"\nretries = 3\n"
      "retry_delay = \"1m\"\nretry_max_delay = \"10m\"\nconcurrency = \"queue\"\npriority = 5\ncatch_up = true\n"
      "umask = \"0027\"\nnice = 5\nlimits = { nofile = 1024, core = 0, stack = \"8MB\", cpu = \"infinity\" }\n"
      "on_failure = [[\"notify\", \"x\"], { command = [\"page\"], timeout = \"5s\" }]\npre_start = [\"check\"]\n"
      "[job.report]\ncommand = [\"report\"]\nafter = [\"extract\"]\nevery = \"2s\"\n");
  ASSERT_TRUE(r.config) << errors(r);
  ASSERT_EQ(r.config->jobs.size(), 2u);
  const JobSpec& j = r.config->jobs[0];
  EXPECT_TRUE(j.has_cron);
  EXPECT_EQ(j.schedule, "0 2 * * *");
  EXPECT_EQ(j.condition, (std::vector<std::string>{"pipeline", "check"}));
  EXPECT_EQ(j.timeout, std::chrono::hours(2));
  EXPECT_EQ(j.retries, 3);
  EXPECT_EQ(j.retry_max_delay, std::chrono::minutes(10));
  EXPECT_EQ(j.concurrency, JobConcurrency::Queue);
  EXPECT_TRUE(j.catch_up);
  EXPECT_EQ(j.run.umask, 027);
  EXPECT_TRUE(j.run.has_nice);
  ASSERT_EQ(j.run.limits.size(), 4u);
  EXPECT_EQ(j.hooks.on_failure.size(), 2u);
  EXPECT_EQ(j.hooks.on_failure[1].timeout, std::chrono::seconds(5));
  EXPECT_EQ(j.hooks.pre_start[0].argv, (std::vector<std::string>{"check"}));
  EXPECT_EQ(r.config->jobs[1].every, std::chrono::seconds(2));
  EXPECT_EQ(r.config->jobs[1].after, (std::vector<std::string>{"extract"}));
}

TEST(ConfigJobs, ErrorsPointAtTheirPlace) {
  expect_error("[job.a]\ncommand = [\"x\"]\nschedule = \"*/0 * * * *\"\n", "vigil.toml:3:15: [job.a] schedule: minute:");
  expect_error("[job.a]\ncommand = [\"x\"]\nafter = [\"a\"]\n", "[job.a] after: a job cannot wait for itself");
  expect_error("[job.a]\ncommand = [\"x\"]\nafter = [\"b\"]\n[job.b]\ncommand = [\"x\"]\nafter = [\"c\"]\n[job.c]\ncommand = [\"x\"]\nafter = [\"a\"]\n",
               "dependency cycle: a -> b -> c -> a");
  expect_error("[job.a]\ncommand = [\"x\"]\nevery = \"1s\"\nschedule = \"@daily\"\n", "give either schedule (cron) or every");
  expect_error("[job.a]\ncommand = [\"x\"]\ncatch_up = true\n", "catch_up: needs a schedule");
  expect_error("[job.a]\ncommand = [\"x\"]\nretry_delay = \"1h\"\nretry_max_delay = \"1m\"\n", "is longer than retry_max_delay");
  expect_error("[service.a]\ncommand = [\"x\"]\n[job.a]\ncommand = [\"x\"]\n", "a job and a service may not share a name");
  expect_error("[service.a]\ncommand = [\"x\"]\nlimits = { nofile = -1 }\n", "vigil.toml:3:21: [service.a] limits.nofile: -1 is out of range");
  expect_error("[service.a]\ncommand = [\"x\"]\npre_start = \"check\"\n", "[service.a] pre_start: expected a command as an array");
  expect_error("[job.a]\ncommand = [\"x\"]\ncondition = \"check\"\n", "[job.a] condition: must be an array of arguments");
}
