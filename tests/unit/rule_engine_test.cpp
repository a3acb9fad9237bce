#include "vigil/rule_engine.hpp"

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  RuleEngine engine;
  Silences silences;
  Snapshot snap;
  TimePoint t0{};
  TimePoint now{};

  explicit Fixture(const std::string& rules_text) {
    auto r = parse_rules(rules_text + "\n[notify.ops]\ntype = \"journal\"\n", "rules.toml", {"svc", "other"},
                         {{"lag", expr::Type::Plain}});
    EXPECT_TRUE(r.rules) << (r.errors.empty() ? "" : r.errors[0].str());
    engine.set_rules(std::make_shared<RuleSet>(*r.rules), now, 0);
    ServiceSnapshot s;
    s.name = "svc";
    s.state = State::Running;
    s.uptime = 100;
    snap.services.push_back(s);
    snap.store.configured = true;
    snap.store.up = true;
  }
  ServiceSnapshot& svc() { return snap.services[0]; }
  const Alert* alert(const std::string& rule) const {
    static Alert found;
    for (const Alert& a : engine.alerts())
      if (a.rule == rule) return &(found = a);
    return nullptr;
  }
  EngineOutput at(Duration d) {
    now = t0 + d;
    return engine.evaluate(snap, now, std::chrono::duration<double>(d).count(), silences);
  }
  static std::vector<std::string> kinds(const EngineOutput& o) {
    std::vector<std::string> k;
    for (const auto& n : o.notifications)
      k.push_back(std::string(n.kind == Notification::Kind::Firing ? "firing" : n.kind == Notification::Kind::Resolved ? "resolved" : "repeat") +
                  (n.muted ? "(muted)" : "") + ":" + n.alert.rule);
    return k;
  }
};

using K = std::vector<std::string>;

}  // namespace

TEST(RuleEngine, ForKeepsAnAlertPendingUntilTheConditionHeldLongEnough) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\nfor = \"10s\"\nnotify = [\"ops\"]");
  f.svc().data_age = 61;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{});
  ASSERT_EQ(f.engine.alerts().size(), 1u);
  EXPECT_EQ(f.engine.alerts()[0].phase, AlertPhase::Pending);
  EXPECT_EQ(Fixture::kinds(f.at(9s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(10s)), K{"firing:stale"});
  EXPECT_EQ(Fixture::kinds(f.at(11s)), K{});  // no second firing
}

TEST(RuleEngine, APendingAlertWhoseConditionLapsesIsForgottenSilently) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\nfor = \"10s\"");
  f.svc().data_age = 61;
  f.at(0s);
  f.svc().data_age = 5;
  EXPECT_EQ(Fixture::kinds(f.at(5s)), K{});
  EXPECT_TRUE(f.engine.alerts().empty());
  f.svc().data_age = 61;
  f.at(6s);
  EXPECT_EQ(Fixture::kinds(f.at(15s)), K{});  // the clock restarted at 6s
  EXPECT_EQ(Fixture::kinds(f.at(16s)), K{"firing:stale"});
}

TEST(RuleEngine, ClearWhenAndClearForGiveHysteresis) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\nclear_when = \"data_age < 20s\"\nclear_for = \"30s\"");
  f.svc().data_age = 61;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:stale"});
  f.svc().data_age = 40;  // below the firing threshold, above the clearing one: still firing
  EXPECT_EQ(Fixture::kinds(f.at(100s)), K{});
  f.svc().data_age = 10;
  EXPECT_EQ(Fixture::kinds(f.at(110s)), K{});
  f.svc().data_age = 30;  // clearing interrupted
  EXPECT_EQ(Fixture::kinds(f.at(130s)), K{});
  f.svc().data_age = 10;
  EXPECT_EQ(Fixture::kinds(f.at(140s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(169s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(170s)), K{"resolved:stale"});
}

TEST(RuleEngine, RepeatRenotifiesAtMostEveryRepeat) {
  Fixture f("[[rule]]\nname = \"hot\"\nwhen = \"cpu > 90\"\nrepeat = \"1m\"");
  f.svc().cpu = 95;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:hot"});
  EXPECT_EQ(Fixture::kinds(f.at(59s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(60s)), K{"repeat:hot"});
  EXPECT_EQ(Fixture::kinds(f.at(61s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(120s)), K{"repeat:hot"});
}

TEST(RuleEngine, AnActionIsRequestedOncePerFiring) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\naction = \"restart\"\nsummary = \"{service}: data is {data_age} old\"");
  f.svc().data_age = 73.2;
  EngineOutput o = f.at(0s);
  ASSERT_EQ(o.actions.size(), 1u);
  EXPECT_EQ(o.actions[0].service, "svc");
  EXPECT_EQ(o.actions[0].action, RuleAction::Restart);
  EXPECT_EQ(o.actions[0].reason, "stale: svc: data is 1m13s old");
  EXPECT_TRUE(f.at(1s).actions.empty());
  f.svc().data_age = 1;
  EngineOutput resolved = f.at(2s);
  ASSERT_EQ(resolved.notifications.size(), 1u);
  // The resolution says what was observed when it resolved, not the firing values.
  EXPECT_EQ(resolved.notifications[0].alert.summary, "svc: data is 1.0s old");
  EXPECT_EQ(resolved.notifications[0].alert.values.at("data_age"), "1.0s");
  f.svc().data_age = 70;
  EXPECT_EQ(f.at(3s).actions.size(), 1u);  // a new firing acts again
}

TEST(RuleEngine, HealthRulesWaitOutTheGraceButLifecycleRulesDoNot) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\n[[rule]]\nname = \"flapping\"\nwhen = \"restarts(10m) > 0\"");
  f.svc().data_age = 100;
  f.svc().in_health_grace = true;
  f.svc().start_ages = {5};
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:flapping"});
  f.svc().in_health_grace = false;
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{"firing:stale"});
}

TEST(RuleEngine, AnEventRuleFoldsACrashStormIntoOneAlertWithACount) {
  Fixture f("[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0\"\nclear_for = \"1m\"\nsummary = \"{service} crashed\"");
  f.at(0s);  // first look: earlier exits are history, not news
  for (int i = 1; i <= 5; ++i) {
    f.svc().exits = i;
    f.svc().last_exit = LastExit{ExitStatus::from_wait_status(1 << 8), 0};
    auto k = Fixture::kinds(f.at(std::chrono::seconds(i)));
    if (i == 1) EXPECT_EQ(k, K{"firing:crashed"});
    else EXPECT_EQ(k, K{}) << "exit " << i;
  }
  ASSERT_EQ(f.engine.alerts().size(), 1u);
  EXPECT_EQ(f.engine.alerts()[0].count, 5);
  EXPECT_EQ(f.engine.alerts()[0].summary, "svc crashed (5 times in 4.0s, last: exited with status 1)");
  EXPECT_EQ(Fixture::kinds(f.at(64s)), K{});
  EXPECT_EQ(Fixture::kinds(f.at(65s)), K{"resolved:crashed"});
}

// A service that exits at once could exit before the engine's first look: that exit used to be
// taken for history and missed (about 1 run in 60). Every exit is seen exactly once.
TEST(RuleEngine, AnExitBeforeTheFirstEvaluationFiresExactlyOnce) {
  Fixture f("[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0\"\nclear_for = \"1m\"");
  f.svc().exits = 1;
  f.svc().last_exit = LastExit{ExitStatus::from_wait_status(3 << 8), 0};
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:crashed"});
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{});
  ASSERT_EQ(f.engine.alerts().size(), 1u);
  EXPECT_EQ(f.engine.alerts()[0].count, 1);
  f.svc().exits = 2;
  EXPECT_EQ(Fixture::kinds(f.at(2s)), K{});  // folded into the firing alert
  EXPECT_EQ(f.engine.alerts()[0].count, 2);
}

TEST(RuleEngine, ExitsBeforeAnyRulesExistedAreNotNewsWhenRulesArrive) {
  RuleEngine engine;
  Silences silences;
  Snapshot snap;
  ServiceSnapshot s;
  s.name = "svc";
  s.exits = 4;
  s.last_exit = LastExit{ExitStatus::from_wait_status(1 << 8), 0};
  snap.services.push_back(s);
  engine.evaluate(snap, TimePoint{}, 0, silences);  // no rules yet: the exits are still counted
  auto r = parse_rules("[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0\"\n", "rules.toml", {"svc"}, {});
  ASSERT_TRUE(r.rules);
  engine.set_rules(std::make_shared<RuleSet>(*r.rules), TimePoint{}, 0);
  EXPECT_TRUE(engine.evaluate(snap, TimePoint{} + 1s, 1, silences).notifications.empty());
  snap.services[0].exits = 5;
  EXPECT_EQ(engine.evaluate(snap, TimePoint{} + 2s, 2, silences).notifications.size(), 1u);
}

// An alert goes on an exec notifier's stdin and into webhook bodies: its summary is bounded
// whatever the template (or a rules error in vigil's own alert) expands to.
TEST(RuleEngine, SummariesAreBoundedAtACharacterBoundary) {
  Fixture f("[[rule]]\nname = \"big\"\nwhen = \"running\"\nsummary = \"é" + std::string(5000, 'x') + "\"");
  ASSERT_EQ(Fixture::kinds(f.at(0s)), K{"firing:big"});
  std::string summary = f.engine.alerts()[0].summary;
  EXPECT_LE(summary.size(), 2048u);
  EXPECT_EQ(summary.substr(summary.size() - 3), "\xe2\x80\xa6");
  auto o = f.engine.set_vigil_alert("rules_reload_failed", std::string(3000, '\xc3') , f.now, 0);
  ASSERT_EQ(o.notifications.size(), 1u);
  std::string cut = o.notifications[0].alert.summary;
  EXPECT_LE(cut.size(), 2048u);
}

TEST(RuleEngine, AnEventRuleIgnoresExitsThatDoNotMatchOrThatVigilAskedFor) {
  Fixture f("[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0 or exit_signal > 0\"");
  f.at(0s);
  f.svc().exits = 1;
  f.svc().last_exit = LastExit{ExitStatus::from_wait_status(0), 0};
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{});
  f.svc().exits = 2;
  f.svc().last_exit = LastExit{ExitStatus::from_wait_status(15), 0, true};  // vigil's own SIGTERM
  EXPECT_EQ(Fixture::kinds(f.at(2s)), K{});
}

TEST(RuleEngine, InhibitionMutesTargetsWhileTheSourceFires) {
  Fixture f("[[rule]]\nname = \"down\"\nwhen = \"not running\"\nnotify = [\"ops\"]\n"
            "[[rule]]\nname = \"stale\"\nwhen = \"store_up == false\"\nnotify = [\"ops\"]\n"
            "[[inhibit]]\nsource = \"down\"\ntargets = [\"stale\"]");
  f.svc().state = State::Backoff;
  f.snap.store.up = false;
  EngineOutput o = f.at(0s);
  EXPECT_EQ(Fixture::kinds(o), (K{"firing:down", "firing(muted):stale"}));
  EXPECT_EQ(o.notifications[1].alert.muted_by, "inhibited by down");
  f.svc().state = State::Running;
  f.snap.store.up = true;
  // stale's firing was never sent, so its resolution is not sent either.
  EXPECT_EQ(Fixture::kinds(f.at(1s)), (K{"resolved:down", "resolved(muted):stale"}));
}

TEST(RuleEngine, SilencesMuteNotificationsButNotActions) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"\naction = \"restart\"");
  Silence s;
  s.service = "svc";
  s.until = 3600;
  s.reason = "maintenance";
  f.silences.add(s, 0);
  f.svc().data_age = 100;
  EngineOutput o = f.at(0s);
  EXPECT_EQ(Fixture::kinds(o), K{"firing(muted):stale"});
  EXPECT_EQ(o.notifications[0].alert.muted_by, "silenced by s1 (maintenance)");
  EXPECT_EQ(o.actions.size(), 1u);
}

TEST(RuleEngine, AReloadKeepsUnchangedRulesAndResolvesRemovedOnes) {
  Fixture f("[[rule]]\nname = \"a\"\nwhen = \"cpu > 90\"\n[[rule]]\nname = \"b\"\nwhen = \"cpu > 50\"");
  f.svc().cpu = 95;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), (K{"firing:a", "firing:b"}));
  auto r = parse_rules("[[rule]]\nname = \"a\"\nwhen = \"cpu > 90\"\n[[rule]]\nname = \"c\"\nwhen = \"cpu > 10\"",
                       "rules.toml", {"svc"}, {});
  EngineOutput changed = f.engine.set_rules(std::make_shared<RuleSet>(*r.rules), f.now, 1);
  EXPECT_EQ(Fixture::kinds(changed), K{"resolved:b"});
  EXPECT_EQ(Fixture::kinds(f.at(2s)), K{"firing:c"});  // a kept its state: no second firing
}

TEST(RuleEngine, VigilsOwnAlertsRaiseAndClear) {
  Fixture f("[[rule]]\nname = \"a\"\nwhen = \"cpu > 90\"");
  auto raised = f.engine.set_vigil_alert("rules_reload_failed", "rules.toml:3:9: unknown metric", f.now, 0);
  ASSERT_EQ(raised.notifications.size(), 1u);
  EXPECT_EQ(raised.notifications[0].targets, std::vector<std::string>{"ops"});
  EXPECT_EQ(raised.notifications[0].alert.severity, Severity::Warning);
  EXPECT_TRUE(f.engine.set_vigil_alert("rules_reload_failed", "rules.toml:3:9: unknown metric", f.now, 0)
                  .notifications.empty());
  // A second, different failure updates the firing alert: no second firing without a resolution.
  auto again = f.engine.set_vigil_alert("rules_reload_failed", "rules.toml:4:1: syntax error", f.now, 0);
  EXPECT_TRUE(again.notifications.empty());
  ASSERT_EQ(again.updated.size(), 1u);
  EXPECT_EQ(f.engine.alerts()[0].summary, "rules.toml:4:1: syntax error");
  EXPECT_EQ(Fixture::kinds(f.engine.set_vigil_alert("rules_reload_failed", std::nullopt, f.now, 1)),
            K{"resolved:rules_reload_failed"});
}

TEST(Silences, MatchExpireAndRoundTrip) {
  Silences s;
  Silence a;
  a.service = "scan-*";
  a.rule = "stale";
  a.until = 100;
  s.add(a, 0);
  EXPECT_TRUE(s.match("scan-bridge", "stale", 50));
  EXPECT_FALSE(s.match("scan-bridge", "other", 50));
  EXPECT_FALSE(s.match("scan-bridge", "stale", 100));
  Silences copy;
  ASSERT_TRUE(copy.from_json(s.to_json()));
  EXPECT_EQ(copy.all().size(), 1u);
  EXPECT_EQ(copy.add(a, 0).id, "s2");  // ids keep counting across a restart
  EXPECT_TRUE(copy.expire(200));
  EXPECT_TRUE(copy.all().empty());
  EXPECT_FALSE(copy.from_json("{not json"));
}

TEST(RuleEngine, TheNextDeadlineIsWhenDataAgeCrossesAThresholdOrAForRunsOut) {
  Fixture f("[[rule]]\nname = \"warn\"\nwhen = \"data_age > 30s\"\n[[rule]]\nname = \"crit\"\nwhen = \"60s < data_age\"\n"
            "[[rule]]\nname = \"hot\"\nwhen = \"cpu > 90\"\nfor = \"10s\"");
  f.svc().data_age = 20;
  f.at(0s);
  auto due = f.engine.next_deadline(f.snap, f.now);
  ASSERT_TRUE(due);
  EXPECT_NEAR(std::chrono::duration<double>(*due - f.now).count(), 10.001, 1e-6);  // 30 s - 20 s, just past
  f.svc().data_age = 45;  // past warn: the next is crit at 60 s
  f.at(1s);
  EXPECT_NEAR(std::chrono::duration<double>(*f.engine.next_deadline(f.snap, f.now) - f.now).count(), 15.001, 1e-6);
  f.svc().data_age = 70;
  f.svc().cpu = 95;  // hot is now pending: due when its `for` runs out
  f.at(2s);
  EXPECT_NEAR(std::chrono::duration<double>(*f.engine.next_deadline(f.snap, f.now) - f.now).count(), 10.0, 1e-6);
}

// ---- No data is not "false" --------------------------------------------------------------------

TEST(RuleEngine, NoValueNeitherFiresNorResolves) {
  Fixture f("[[rule]]\nname = \"leak\"\nwhen = \"memory > 500MB\"\naction = \"restart\"\nnotify = [\"ops\"]\n"
            "summary = \"{service}: memory {memory}\"");
  f.svc().memory = 603.2e6;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:leak"});
  // vigil restarts it: while the process is down there is no value; the alert keeps firing.
  f.svc().state = State::Backoff;
  f.svc().memory.reset();
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{});
  ASSERT_TRUE(f.alert("leak"));
  EXPECT_TRUE(f.alert("leak")->firing());
  EXPECT_EQ(f.alert("leak")->no_data_since, 1.0);
  EXPECT_EQ(f.alert("leak")->summary, "svc: memory 603.2MB");  // the last values seen
  EXPECT_TRUE(f.at(2s).actions.empty());                         // and no second action
  // The new run is small: observed clear, resolved with the small value.
  f.svc().state = State::Running;
  f.svc().memory = 20e6;
  EngineOutput o = f.at(3s);
  ASSERT_EQ(Fixture::kinds(o), K{"resolved:leak"});
  EXPECT_EQ(o.notifications[0].alert.summary, "svc: memory 20MB");
  EXPECT_FALSE(o.notifications[0].alert.no_data_since);
}

TEST(RuleEngine, NoValueKeepsAPendingAlertPending) {
  Fixture f("[[rule]]\nname = \"hot\"\nwhen = \"cpu > 90\"\nfor = \"10s\"");
  f.svc().cpu = 95;
  f.at(0s);
  f.svc().cpu.reset();
  f.at(5s);
  ASSERT_EQ(f.engine.alerts().size(), 1u);
  EXPECT_EQ(f.engine.alerts()[0].phase, AlertPhase::Pending);
  f.svc().cpu = 95;
  EXPECT_EQ(Fixture::kinds(f.at(10s)), K{"firing:hot"});
}

TEST(RuleEngine, NoDataResolveAndFireAreTheRulesChoice) {
  Fixture f("[[rule]]\nname = \"gone\"\nwhen = \"cpu > 90\"\nno_data = \"resolve\"\n"
            "[[rule]]\nname = \"blind\"\nwhen = \"data_age > 60s\"\nno_data = \"fire\"\nfor = \"5s\"");
  f.svc().cpu = 95;
  f.svc().data_age = 1;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:gone"});
  f.svc().cpu.reset();
  f.svc().data_age.reset();
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{"resolved:gone"});
  EXPECT_EQ(Fixture::kinds(f.at(6s)), K{"firing:blind"});
}

TEST(RuleEngine, AComparisonThatIsFalseWithoutTheMissingValueStillDecides) {
  // `state == "running"` is false for a stopped service whatever memory is: observed, not unknown.
  Fixture f("[[rule]]\nname = \"leak\"\nwhen = \"state == 'running' and memory > 500MB\"");
  f.svc().memory = 600e6;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:leak"});
  f.svc().state = State::Stopped;
  f.svc().memory.reset();
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{"resolved:leak"});
}

TEST(RuleEngine, GraceDelaysFiringButNotResolving) {
  Fixture f("[[rule]]\nname = \"stale\"\nwhen = \"data_age > 60s\"");
  f.svc().data_age = 100;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:stale"});
  f.svc().in_health_grace = true;  // a new run, in its grace
  EXPECT_EQ(Fixture::kinds(f.at(1s)), K{});
  f.svc().data_age = 2;  // fresh data inside the grace: it resolves now, not after the grace
  EXPECT_EQ(Fixture::kinds(f.at(2s)), K{"resolved:stale"});
  f.svc().data_age = 100;  // stale again inside the grace: waits
  EXPECT_EQ(Fixture::kinds(f.at(3s)), K{});
  f.svc().in_health_grace = false;
  EXPECT_EQ(Fixture::kinds(f.at(4s)), K{"firing:stale"});
}

TEST(RuleEngine, AFoldedCrashStormRenotifiesAtRepeatWithTheCount) {
  Fixture f("[[rule]]\nname = \"crashed\"\nwhen = \"exit_code != 0\"\nrepeat = \"10s\"\nsummary = \"{service} crashed\"");
  f.at(0s);
  std::vector<std::string> repeats;
  for (int i = 1; i <= 25; ++i) {
    f.svc().exits = i;
    f.svc().last_exit = LastExit{ExitStatus::from_wait_status(1 << 8), 0};
    for (const auto& n : f.at(std::chrono::seconds(i)).notifications)
      if (n.kind == Notification::Kind::Repeat) repeats.push_back(n.alert.summary);
  }
  EXPECT_EQ(repeats, (std::vector<std::string>{"svc crashed (11 times in 10.0s, last: exited with status 1)",
                                               "svc crashed (21 times in 20.0s, last: exited with status 1)"}));
  // Exits 22-25 came after the last repeat: the next one says so; then, quiet, nothing more.
  EngineOutput late = f.at(40s);
  ASSERT_EQ(Fixture::kinds(late), K{"repeat:crashed"});
  EXPECT_EQ(late.notifications[0].alert.count, 25);
  EXPECT_EQ(Fixture::kinds(f.at(60s)), K{});
}

TEST(RuleEngine, ServiceFailedFiresOnceWithoutRulesAndUpdatesOnARepeatedFailure) {
  RuleEngine engine;  // no rules file at all
  Silences silences;
  Snapshot snap;
  ServiceSnapshot s;
  s.name = "bridge";
  s.state = State::Failed;
  s.failed_reason = "6 starts within 1m (start_limit_burst = 5)";
  s.next_start_in = 600;
  snap.services.push_back(s);
  TimePoint t0{};
  EngineOutput o = engine.evaluate(snap, t0, 0, silences);
  ASSERT_EQ(Fixture::kinds(o), K{"firing:service_failed"});
  EXPECT_EQ(o.notifications[0].alert.severity, Severity::Critical);
  EXPECT_EQ(o.notifications[0].alert.summary,
            "bridge failed (start limit: 6 starts within 1m (start_limit_burst = 5)); vigil retries in 10m");
  // The retry starts, fails again: still the same alert, updated, never a second firing.
  snap.services[0].state = State::Starting;
  EXPECT_EQ(Fixture::kinds(engine.evaluate(snap, t0 + 600s, 600, silences)), K{});
  snap.services[0].state = State::Failed;
  snap.services[0].restarts = 6;
  snap.services[0].next_start_in = 1200;
  o = engine.evaluate(snap, t0 + 610s, 610, silences);
  EXPECT_EQ(Fixture::kinds(o), K{});
  ASSERT_EQ(o.updated.size(), 1u);
  EXPECT_EQ(o.updated[0].summary,
            "bridge failed 2 times in a row (start limit: 6 starts within 1m (start_limit_burst = 5)); vigil retries in 20m");
  EXPECT_EQ(o.updated[0].count, 2);
  // Failed again, with the same countdown: the count alone makes it news.
  snap.services[0].state = State::Starting;
  EXPECT_EQ(Fixture::kinds(engine.evaluate(snap, t0 + 1810s, 1810, silences)), K{});
  snap.services[0].state = State::Failed;
  snap.services[0].restarts = 12;
  o = engine.evaluate(snap, t0 + 1820s, 1820, silences);
  ASSERT_EQ(o.updated.size(), 1u);
  EXPECT_EQ(o.updated[0].summary.rfind("bridge failed 3 times in a row (", 0), 0u) << o.updated[0].summary;
  o = engine.evaluate(snap, t0 + 1821s, 1821, silences);  // nothing new: no update
  EXPECT_EQ(Fixture::kinds(o), K{});
  EXPECT_TRUE(o.updated.empty());
  snap.services[0].state = State::Running;  // a short run is no recovery
  snap.services[0].uptime = 5;
  EXPECT_EQ(Fixture::kinds(engine.evaluate(snap, t0 + 2400s, 2400, silences)), K{});
  snap.services[0].uptime = 30;  // up for `after` (30s by default): recovered
  EXPECT_EQ(Fixture::kinds(engine.evaluate(snap, t0 + 2430s, 2430, silences)), K{"resolved:service_failed"});
}

TEST(RuleEngine, ServiceFlappingFiresAfterBackoffOutlastsItsThreshold) {
  Fixture f("[builtin.service_flapping]\nafter = \"1m\"\nnotify = [\"ops\"]\n[builtin.service_failed]\ndisabled = true");
  f.svc().state = State::Backoff;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{});
  f.svc().state = State::Running;  // a short run is no verdict
  f.svc().uptime = 5;
  EXPECT_EQ(Fixture::kinds(f.at(30s)), K{});
  f.svc().state = State::Backoff;
  EngineOutput o = f.at(60s);
  ASSERT_EQ(Fixture::kinds(o), K{"firing:service_flapping"});
  EXPECT_EQ(o.notifications[0].targets, std::vector<std::string>{"ops"});
  f.svc().state = State::Failed;  // disabled: nothing
  EXPECT_EQ(Fixture::kinds(f.at(70s)), K{});
  f.svc().state = State::Running;
  f.svc().uptime = 60;  // up for `after`: resolved
  EXPECT_EQ(Fixture::kinds(f.at(200s)), K{"resolved:service_flapping"});
}

TEST(RuleEngine, AResolutionGoesWhereItsFiringWentEvenIfSilencedSince) {
  Fixture f("[[rule]]\nname = \"hot\"\nwhen = \"cpu > 90\"\nnotify = [\"ops\"]");
  f.svc().cpu = 95;
  EXPECT_EQ(Fixture::kinds(f.at(0s)), K{"firing:hot"});
  Silence s;
  s.service = "svc";
  s.until = 3600;
  f.silences.add(s, 0);
  f.svc().cpu = 5;
  EngineOutput o = f.at(1s);
  ASSERT_EQ(Fixture::kinds(o), K{"resolved:hot"});  // delivered: the log must not say "not sent"
  EXPECT_EQ(o.notifications[0].alert.muted_by, "");
}

TEST(AlertLifecycle, EveryPairIsDecidedAndNoDataNeverChangesTheVerdict) {
  const AlertPhase phases[] = {AlertPhase::Inactive, AlertPhase::Pending, AlertPhase::Firing, AlertPhase::Clearing};
  for (AlertPhase p : phases) {
    AlertStep s = alert_transition(p, AlertInput::NoData);
    EXPECT_NE(s.effect, AlertEffect::Fire) << to_string(p);
    EXPECT_NE(s.effect, AlertEffect::Resolve) << to_string(p);
    EXPECT_NE(s.effect, AlertEffect::Forget) << to_string(p);
    // The grace never fires and never resolves.
    AlertStep g = alert_transition(p, AlertInput::HoldsInGrace);
    EXPECT_NE(g.effect, AlertEffect::Fire) << to_string(p);
    EXPECT_NE(g.effect, AlertEffect::Resolve) << to_string(p);
  }
  EXPECT_EQ(alert_transition(AlertPhase::Inactive, AlertInput::Holds).next, AlertPhase::Pending);
  EXPECT_EQ(alert_transition(AlertPhase::Pending, AlertInput::ForElapsed).effect, AlertEffect::Fire);
  EXPECT_EQ(alert_transition(AlertPhase::Pending, AlertInput::Clear).effect, AlertEffect::Forget);
  EXPECT_EQ(alert_transition(AlertPhase::Firing, AlertInput::Clear).next, AlertPhase::Clearing);
  EXPECT_EQ(alert_transition(AlertPhase::Firing, AlertInput::ClearElapsed).effect, AlertEffect::None);  // must clear first
  EXPECT_EQ(alert_transition(AlertPhase::Clearing, AlertInput::NoData).next, AlertPhase::Firing);
  EXPECT_EQ(alert_transition(AlertPhase::Clearing, AlertInput::ClearElapsed).effect, AlertEffect::Resolve);
  EXPECT_EQ(alert_transition(AlertPhase::Inactive, AlertInput::Exit).effect, AlertEffect::Fire);
  EXPECT_EQ(alert_transition(AlertPhase::Clearing, AlertInput::Exit).effect, AlertEffect::Fold);
  EXPECT_EQ(alert_transition(AlertPhase::Firing, AlertInput::RepeatDue).effect, AlertEffect::Repeat);
  EXPECT_EQ(alert_transition(AlertPhase::Pending, AlertInput::Gone).effect, AlertEffect::Forget);
  EXPECT_EQ(alert_transition(AlertPhase::Firing, AlertInput::Gone).effect, AlertEffect::Resolve);
}

namespace {

// A rules file about the job "nightly", evaluated against a snapshot holding it.
struct JobFixture {
  RuleEngine engine;
  Silences silences;
  Snapshot snap;

  explicit JobFixture(const std::string& rules_text) {
    auto r = parse_rules(rules_text + "\n[notify.ops]\ntype = \"journal\"\n", "rules.toml", {"svc"}, {}, {"nightly"});
    EXPECT_TRUE(r.rules) << (r.errors.empty() ? "" : r.errors[0].str());
    if (r.rules) engine.set_rules(std::make_shared<RuleSet>(*r.rules), TimePoint{}, 0);
    ServiceSnapshot s;
    s.name = "svc";
    s.state = State::Running;
    snap.services.push_back(s);
    JobSnapshot j;
    j.name = "nightly";
    snap.jobs.push_back(j);
  }
  JobSnapshot& job() { return snap.jobs[0]; }
  void finished(RunResult result, double started, double ended) {
    AttemptRecord a;
    a.job = "nightly";
    a.result = result;
    a.started = started;
    a.ended = ended;
    a.final = true;
    job().last_finished = a;
    if (run_ok(result)) job().last_success_at = ended;
  }
  EngineOutput at(double unix_seconds) {
    job().taken_at = unix_seconds;
    return engine.evaluate(snap, TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(unix_seconds)),
                           unix_seconds, silences);
  }
};

}  // namespace

// `not last_run_ok` pages for a failed run and resolves with the next good one; a job rule never
// applies to a service, and has no value (no alert) before the job's first run.
TEST(RuleEngine, AJobRuleSeesTheJobsLastRun) {
  JobFixture f("[[rule]]\nname = \"nightly_failed\"\njobs = [\"nightly\"]\nwhen = \"not last_run_ok\"\nnotify = [\"ops\"]");
  EXPECT_EQ(Fixture::kinds(f.at(10)), K{});
  f.finished(RunResult::Failed, 20, 50);
  EngineOutput fired = f.at(60);
  ASSERT_EQ(Fixture::kinds(fired), K{"firing:nightly_failed"});
  EXPECT_EQ(fired.notifications[0].alert.service, "nightly");
  EXPECT_EQ(fired.notifications[0].alert.summary, "job nightly: nightly_failed (not last_run_ok)");
  f.finished(RunResult::Skipped, 70, 71);  // nothing to do is a good run
  EXPECT_EQ(Fixture::kinds(f.at(80)), K{"resolved:nightly_failed"});
}

TEST(RuleEngine, AJobRuleOnLastSuccessAgeCatchesAJobThatStoppedRunning) {
  JobFixture f("[[rule]]\nname = \"stalled\"\njobs = [\"night*\"]\nwhen = \"last_success_age > 26h\"\n"
               "summary = \"{job} last succeeded {last_success_age} ago\"");
  f.finished(RunResult::Success, 0, 100);
  EXPECT_EQ(Fixture::kinds(f.at(100 + 26 * 3600)), K{});
  EngineOutput late = f.at(101 + 26 * 3600);
  ASSERT_EQ(Fixture::kinds(late), K{"firing:stalled"});
  EXPECT_EQ(late.notifications[0].alert.summary, "nightly last succeeded 1d2h1s ago");
}

// job_failed (vigil's own alert about a job) is muted by a silence on the job, as a service's is.
TEST(RuleEngine, ASilenceOnAJobMutesItsJobFailedAlert) {
  JobFixture f("");
  Silence s;
  s.service = "nightly";
  s.until = 3600;
  f.silences.add(s, 0);
  EngineOutput o = f.engine.set_vigil_alert("job_failed", "job nightly run 3 failed", TimePoint{}, 1, "nightly", &f.silences);
  ASSERT_EQ(Fixture::kinds(o), K{"firing(muted):job_failed"});
  EXPECT_EQ(o.notifications[0].alert.muted_by, "silenced by s1");
  EngineOutput other = f.engine.set_vigil_alert("job_failed", "job weekly run 1 failed", TimePoint{}, 1, "weekly", &f.silences);
  EXPECT_EQ(Fixture::kinds(other), K{"firing:job_failed"});
}

TEST(RuleEngine, ASilenceOnEverythingLeavesVigilsOwnAlertsSent) {
  JobFixture f("");
  Silence s;
  s.service = "*";
  s.until = 3600;
  f.silences.add(s, 0);
  EngineOutput o = f.engine.set_vigil_alert("rules_reload_failed", "rules.toml:3:1: bad", TimePoint{}, 1, "vigil", &f.silences);
  EXPECT_EQ(Fixture::kinds(o), K{"firing:rules_reload_failed"});
}
