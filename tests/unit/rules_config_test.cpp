#include "vigil/rules_config.hpp"

#include <gtest/gtest.h>

using namespace vigil;

namespace {
const std::vector<std::string> kServices = {"scan-bridge", "scan-feed", "redis"};
const std::map<std::string, expr::Type> kCustom = {{"lag", expr::Type::Plain}};

RulesResult parse(const std::string& text) { return parse_rules(text, "rules.toml", kServices, kCustom); }

std::string errors(const RulesResult& r) {
  std::string s;
  for (const auto& d : r.errors) s += d.str() + "\n";
  return s;
}

void expect_error(const std::string& text, const std::string& expected) {
  RulesResult r = parse(text);
  EXPECT_FALSE(r.rules);
  EXPECT_NE(errors(r).find(expected), std::string::npos) << "expected: " << expected << "\ngot:\n" << errors(r);
}
}  // namespace

TEST(RulesConfig, ReadsTheDesignExample) {
  RulesResult r = parse(R"(
[[rule]]
name = "stale_data"
services = ["scan-*"]
when = "data_age > 60s"
for = "10s"
severity = "critical"
action = "restart"
notify = ["ops", "trading"]
summary = "{service}: data is {data_age} old"
repeat = "1h"
clear_when = "data_age < 20s"
clear_for = "30s"

[[rule]]
name = "process_down"
when = "not running"

[[rule]]
name = "crashed"
when = "exit_code != 0 or exit_signal > 0"

[[inhibit]]
source = "process_down"
targets = ["stale_data"]

[notify.ops]
type = "exec"
command = ["/usr/local/bin/page-ops"]
timeout = "10s"

[notify.trading]
type = "webhook"
url = "http://127.0.0.1:9093/api/v2/alerts"
format = "alertmanager"
headers = { X-Team = "trading" }
)");
  ASSERT_TRUE(r.rules) << errors(r);
  const RuleSet& s = *r.rules;
  ASSERT_EQ(s.rules.size(), 3u);
  const Rule& stale = s.rules[0];
  EXPECT_TRUE(stale.applies_to("scan-bridge"));
  EXPECT_FALSE(stale.applies_to("redis"));
  EXPECT_EQ(stale.severity, Severity::Critical);
  EXPECT_EQ(stale.action, RuleAction::Restart);
  EXPECT_TRUE(stale.uses_health);
  EXPECT_FALSE(stale.event);
  EXPECT_TRUE(stale.clear_when);
  EXPECT_FALSE(s.rules[1].uses_health);
  EXPECT_TRUE(s.rules[2].event);
  EXPECT_EQ(s.rules[2].clear_for, std::chrono::minutes(5));
  ASSERT_EQ(s.notifiers.size(), 2u);
  EXPECT_EQ(s.notifiers[1].format, WebhookFormat::Alertmanager);
  EXPECT_EQ(s.inhibits[0].targets, std::vector<std::string>{"stale_data"});
}

TEST(RulesConfigErrors, AnExpressionErrorPointsInsideTheWhenString) {
  // when = "data_agee > 60s": the value starts at column 8 (its quote), the token at column 9.
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"data_agee > 60s\"\n",
               "rules.toml:3:9: [[rule]] x when: unknown metric 'data_agee' (did you mean 'data_age'?)");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"cpu > 80% and memory > 5s\"\n",
               "rules.toml:3:32: [[rule]] x when: cannot compare a size with a duration");
}

TEST(RulesConfigErrors, ReferencesMustExist) {
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\nnotify = [\"opz\"]\n[notify.ops]\ntype = \"journal\"\n",
               "[[rule]] x notify: no [notify.opz] is defined (did you mean 'ops'?)");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\nservices = [\"scan-bridg\"]\n",
               "unknown service 'scan-bridg' (did you mean 'scan-bridge'?)");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\n[[inhibit]]\nsource = \"y\"\ntargets = [\"x\"]\n",
               "[[inhibit]] source: no rule is called 'y'");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\nsummary = \"{service} is {stat}\"\n",
               "rules.toml:4:25: [[rule]] x summary: unknown placeholder {stat} (did you mean 'state'?)");
}

TEST(RulesConfigErrors, ShapesAndChoices) {
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\nseverity = \"urgent\"\n", "unknown value \"urgent\"");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"exit_code != 0\"\nfor = \"10s\"\n", "this is an event rule");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\n[[rule]]\nname = \"x\"\nwhen = \"running\"\n",
               "another rule is already called 'x'");
  expect_error("[rule]\nname = \"x\"\n", "rules are [[rule]] tables");
  expect_error("[[rule]]\nname = \"x\"\nwhen = \"not running\"\nwhem = \"\"\n", "unknown key 'whem' (did you mean 'when'?)");
  expect_error("[notify.ops]\ntype = \"exec\"\ncommand = \"page-ops --now\"\n", "must be an array of arguments");
  expect_error("[notify.ops]\ntype = \"webhook\"\n", "a webhook notifier needs url");
  expect_error("[[rule]]\nname = \"x\"\n", "when is required");
}

TEST(RulesConfigErrors, AProxyIsAUrlAndOnlyForWebhooks) {
  expect_error("[notify.w]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nproxy = \"proxy:3128\"\n",
               "rules.toml:4:9: [notify.w] proxy: expected a proxy URL");
  expect_error("[notify.e]\ntype = \"exec\"\ncommand = [\"true\"]\nproxy = \"http://p:3128\"\n",
               "only a webhook notifier uses a proxy");
  RulesResult r = parse("[notify.w]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nproxy = \"socks5h://p:1080\"\n");
  ASSERT_TRUE(r.rules) << errors(r);
  EXPECT_EQ(r.rules->notifiers[0].proxy, "socks5h://p:1080");
}

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("scan-*", "scan-bridge"));
  EXPECT_TRUE(glob_match("*", "x"));
  EXPECT_TRUE(glob_match("s?an-*e", "scan-bridge"));
  EXPECT_FALSE(glob_match("scan-*", "redis"));
  EXPECT_TRUE(glob_match("a*b*c", "a-b-b-c"));
}

TEST(Summary, FillsPlaceholdersAndLeavesUnknownText) {
  EXPECT_EQ(render_summary("{service}: data is {data_age} old", {{"service", "sb"}, {"data_age", "73.2s"}}),
            "sb: data is 73.2s old");
  EXPECT_EQ(render_summary("{nope} {", {}), "{nope} {");
}

TEST(RulesConfig, AlertmanagerPeersLabelsAndResend) {
  RulesResult r = parse(R"(
[notify.am]
type = "webhook"
format = "alertmanager"
url = ["http://am1:9093/api/v2/alerts", "http://am2:9093/api/v2/alerts"]
labels = { site = "fra1", env = "prod" }
resend = "30s"
[notify.one]
type = "webhook"
url = "http://hook:8080/x"
)");
  ASSERT_TRUE(r.rules) << errors(r);
  const NotifierSpec& am = r.rules->notifiers[0];
  EXPECT_EQ(am.urls, (std::vector<std::string>{"http://am1:9093/api/v2/alerts", "http://am2:9093/api/v2/alerts"}));
  EXPECT_EQ(am.labels.at("site"), "fra1");
  EXPECT_EQ(am.labels.at("env"), "prod");
  EXPECT_EQ(am.resend, std::chrono::seconds(30));
  EXPECT_EQ(r.rules->notifiers[1].urls, std::vector<std::string>{"http://hook:8080/x"});
  EXPECT_EQ(r.rules->notifiers[1].resend, std::chrono::minutes(1));

  expect_error("[notify.a]\ntype = \"webhook\"\nurl = []\n", "the list of URLs is empty");
  expect_error("[notify.a]\ntype = \"webhook\"\nurl = [\"ftp://x\"]\n", "expected an http:// or https:// URL");
  expect_error("[notify.a]\ntype = \"webhook\"\nurl = \"http://x\"\nlabels = { site = \"a\" }\n",
               "only with type = \"webhook\" and format = \"alertmanager\"");
  expect_error("[notify.a]\ntype = \"webhook\"\nformat = \"alertmanager\"\nurl = \"http://x\"\nlabels = { service = \"a\" }\n",
               "vigil sets service itself");
  expect_error("[notify.a]\ntype = \"webhook\"\nformat = \"alertmanager\"\nurl = \"http://x\"\nlabels = { 1x = \"a\" }\n",
               "not a Prometheus label name");
  expect_error("[notify.a]\ntype = \"webhook\"\nformat = \"alertmanager\"\nurl = \"http://x\"\nresend = \"10ms\"\n",
               "must be at least 1s");
  expect_error("[notify.a]\ntype = \"exec\"\ncommand = [\"x\"]\nresend = \"1m\"\n", "only an Alertmanager notifier re-sends");
}

// A job rule (`jobs = [...]`) names existing jobs and the job metrics only, and cannot act.
TEST(RulesConfigErrors, AJobRuleLooksAtJobsOnly) {
  auto job_parse = [](const std::string& text) { return parse_rules(text, "rules.toml", kServices, kCustom, {"nightly"}); };
  RulesResult ok = job_parse("[[rule]]\nname = \"x\"\njobs = [\"nightly\"]\nwhen = \"not last_run_ok or last_duration > 2h\"\n");
  ASSERT_TRUE(ok.rules) << errors(ok);
  EXPECT_TRUE(ok.rules->rules[0].job_rule());
  EXPECT_TRUE(ok.rules->rules[0].applies_to_job("nightly"));
  EXPECT_FALSE(ok.rules->rules[0].applies_to("nightly")) << "a job rule never applies to a service";
  auto expect_job_error = [&](const std::string& text, const std::string& expected) {
    RulesResult r = job_parse(text);
    EXPECT_FALSE(r.rules);
    EXPECT_NE(errors(r).find(expected), std::string::npos) << "expected: " << expected << "\ngot:\n" << errors(r);
  };
  expect_job_error("[[rule]]\nname = \"x\"\njobs = [\"nightyl\"]\nwhen = \"running\"\n",
                   "rules.toml:3:8: [[rule]] x jobs: unknown job 'nightyl' (did you mean 'nightly'?)");
  expect_job_error("[[rule]]\nname = \"x\"\njobs = [\"nightly\"]\nwhen = \"cpu > 50\"\n",
                   "rules.toml:4:9: [[rule]] x when: a job rule (jobs = [...]) knows the job metrics only");
  expect_job_error("[[rule]]\nname = \"x\"\njobs = [\"nightly\"]\nservices = [\"redis\"]\nwhen = \"running\"\n",
                   "a rule looks at services or at jobs, not both");
  expect_job_error("[[rule]]\nname = \"x\"\njobs = [\"nightly\"]\nwhen = \"running\"\naction = \"restart\"\n",
                   "[[rule]] x action: a job rule cannot restart or stop");
  expect_job_error("[[rule]]\nname = \"x\"\njobs = [\"nightly\"]\nwhen = \"running\"\nsummary = \"{job} {restarts}\"\n",
                   "unknown placeholder {restarts}");
}
