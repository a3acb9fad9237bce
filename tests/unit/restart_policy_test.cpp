#include "vigil/restart_policy.hpp"

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

ExitStatus exited(int code) {
  ExitStatus e;
  e.code = code;
  return e;
}

ExitStatus killed(int sig) {
  ExitStatus e;
  e.signaled = true;
  e.signal = sig;
  return e;
}

RestartPolicy policy() {
  RestartPolicy p;
  p.restart_delay = 1s;
  p.backoff_max = 10s;
  p.stable_after = 30s;
  p.start_limit_burst = 5;
  p.start_limit_interval = 60s;
  return p;
}

}  // namespace

TEST(Backoff, DoublesUpToTheCap) {
  RestartPolicy p = policy();
  EXPECT_EQ(backoff_delay(p, 1), 1s);
  EXPECT_EQ(backoff_delay(p, 2), 2s);
  EXPECT_EQ(backoff_delay(p, 3), 4s);
  EXPECT_EQ(backoff_delay(p, 4), 8s);
  EXPECT_EQ(backoff_delay(p, 5), 10s);
  EXPECT_EQ(backoff_delay(p, 60), 10s);  // no overflow on long crash loops
  p.restart_delay = 0s;
  EXPECT_EQ(backoff_delay(p, 7), 0s);
}

TEST(Backoff, ConsecutiveCrashesGrowTheDelay) {
  RestartPolicy p = policy();
  p.start_limit_burst = 100;
  RestartTracker t;
  TimePoint now{};
  std::vector<Duration> delays;
  for (int i = 0; i < 5; ++i) {
    t.record_start(now);
    ExitStatus e = exited(1);
    Decision d = t.decide(p, EndCause::OnItsOwn, &e, now, now + 100ms);
    ASSERT_EQ(d.verdict, Verdict::RestartLater);
    delays.push_back(d.delay);
    now += 100ms + d.delay;
  }
  EXPECT_EQ(delays, (std::vector<Duration>{1s, 2s, 4s, 8s, 10s}));
}

TEST(Backoff, AStableRunResetsTheDelay) {
  RestartPolicy p = policy();
  RestartTracker t;
  TimePoint now{};
  ExitStatus e = exited(1);
  t.record_start(now);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now, now).delay, 1s);
  t.record_start(now + 1s);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now + 1s, now + 1s).delay, 2s);
  // This run lasted stable_after: the next delay starts over.
  t.record_start(now + 3s);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now + 3s, now + 33s).delay, 1s);
}

TEST(StartLimit, MoreStartsThanTheBurstWithinTheIntervalGivesUp) {
  RestartPolicy p = policy();
  p.start_limit_burst = 3;
  RestartTracker t;
  TimePoint now{};
  ExitStatus e = exited(1);
  for (int i = 1; i <= 3; ++i) {
    t.record_start(now);
    Decision d = t.decide(p, EndCause::OnItsOwn, &e, now, now);
    if (i < 3) {
      EXPECT_EQ(d.verdict, Verdict::RestartLater) << "start " << i;
      EXPECT_EQ(d.attempt, i + 1);
    } else {
      EXPECT_EQ(d.verdict, Verdict::GiveUp);
      EXPECT_NE(d.reason.find("3 starts within 1m"), std::string::npos) << d.reason;
    }
    now += 1s;
  }
}

TEST(StartLimit, StartsOutsideTheWindowDoNotCount) {
  RestartPolicy p = policy();
  p.start_limit_burst = 2;
  p.start_limit_interval = 10s;
  RestartTracker t;
  ExitStatus e = exited(1);
  TimePoint now{};
  t.record_start(now);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now, now).verdict, Verdict::RestartLater);
  t.record_start(now + 20s);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now + 20s, now + 20s).verdict, Verdict::RestartLater);
  t.record_start(now + 21s);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now + 21s, now + 21s).verdict, Verdict::GiveUp);
  t.reset_limit();  // failed_retry or an operator start
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &e, now + 21s, now + 22s).verdict, Verdict::RestartLater);
}

TEST(StartLimit, ASpawnFailureCountsAsAFailedStart) {
  RestartPolicy p = policy();
  p.mode = RestartMode::OnFailure;
  p.start_limit_burst = 1;
  RestartTracker t;
  TimePoint now{};
  t.record_start(now);
  Decision d = t.decide(p, EndCause::OnItsOwn, nullptr, now, now);
  EXPECT_EQ(d.verdict, Verdict::GiveUp);
}

TEST(Verdict, RestartModes) {
  RestartTracker t;
  TimePoint now{};
  RestartPolicy p = policy();
  ExitStatus ok = exited(0), bad = exited(2), sig = killed(9);

  p.mode = RestartMode::Never;
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &bad, now, now).verdict, Verdict::StayDown);
  EXPECT_EQ(t.decide(p, EndCause::Fault, &bad, now, now).verdict, Verdict::StayDown);

  p.mode = RestartMode::OnFailure;
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &ok, now, now).verdict, Verdict::StayDown);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &bad, now, now).verdict, Verdict::RestartLater);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &sig, now, now).verdict, Verdict::RestartLater);
  // A fault vigil acted on (start timeout, watchdog) is a failure even if the process then exits 0.
  EXPECT_EQ(t.decide(p, EndCause::Fault, &ok, now, now).verdict, Verdict::RestartLater);

  p.mode = RestartMode::Always;
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &ok, now, now).verdict, Verdict::RestartLater);
}

TEST(Verdict, PreventedExitCodesStayDownButSignalsDoNot) {
  RestartTracker t;
  TimePoint now{};
  RestartPolicy p = policy();
  p.prevent_exit_codes = {78};
  ExitStatus config_error = exited(78), other = exited(1), sig78 = killed(78 % 64);
  Decision d = t.decide(p, EndCause::OnItsOwn, &config_error, now, now);
  EXPECT_EQ(d.verdict, Verdict::StayDown);
  EXPECT_NE(d.reason.find("78"), std::string::npos);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &other, now, now).verdict, Verdict::RestartLater);
  EXPECT_EQ(t.decide(p, EndCause::OnItsOwn, &sig78, now, now).verdict, Verdict::RestartLater);
}

TEST(Verdict, OperatorRequestsWin) {
  RestartTracker t;
  TimePoint now{};
  RestartPolicy p = policy();
  p.mode = RestartMode::Always;
  ExitStatus sig = killed(15);
  EXPECT_EQ(t.decide(p, EndCause::StopRequested, &sig, now, now).verdict, Verdict::StayDown);
  EXPECT_EQ(t.decide(p, EndCause::RestartRequested, &sig, now, now).verdict, Verdict::RestartNow);
  p.mode = RestartMode::Never;
  EXPECT_EQ(t.decide(p, EndCause::RestartRequested, &sig, now, now).verdict, Verdict::RestartNow);
}

TEST(ExitStatusWording, NeverConfusesASignalWithAnExitCode) {
  // Raw wait statuses: exit(15) is 15 << 8; death by SIGTERM is 15.
  EXPECT_EQ(ExitStatus::from_wait_status(15 << 8).describe(), "exited with status 15");
  EXPECT_EQ(ExitStatus::from_wait_status(15).describe(), "was killed by SIGTERM");
  EXPECT_EQ(ExitStatus::from_wait_status(11 | 0x80).describe(), "was killed by SIGSEGV (core dumped)");
}
