#include "vigil/probe_state.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

struct Probe {
  ProbeState state = ProbeState::Off;
  ProbeStreak streak;
  ProbeThresholds th{1, 3};
  ProbeStep on(ProbeEvent e) {
    ProbeStep s = transition(state, e, streak, th);
    state = s.next;
    return s;
  }
};

TEST(ProbeState, WaitsForTheInitialDelayThenChecks) {
  Probe p;
  EXPECT_EQ(p.on(ProbeEvent::RunStarted).next, ProbeState::Waiting);
  EXPECT_TRUE(p.on(ProbeEvent::Passed).ignored);  // nothing is checked yet
  ProbeStep armed = p.on(ProbeEvent::Armed);
  EXPECT_EQ(armed.next, ProbeState::Unknown);
  EXPECT_TRUE(armed.check);
}

TEST(ProbeState, FailsOnlyAfterFailureThresholdConsecutiveFailures) {
  Probe p;
  p.on(ProbeEvent::RunStarted);
  p.on(ProbeEvent::Armed);
  p.on(ProbeEvent::Passed);
  EXPECT_EQ(p.state, ProbeState::Passing);
  p.on(ProbeEvent::Failed);
  p.on(ProbeEvent::Failed);
  EXPECT_EQ(p.state, ProbeState::Passing);
  p.on(ProbeEvent::Passed);  // the streak starts again
  p.on(ProbeEvent::Failed);
  p.on(ProbeEvent::Failed);
  EXPECT_EQ(p.state, ProbeState::Passing);
  p.on(ProbeEvent::Failed);
  EXPECT_EQ(p.state, ProbeState::Failing);
  EXPECT_EQ(p.streak.failures, 3);
}

TEST(ProbeState, RecoversAfterSuccessThresholdConsecutivePasses) {
  Probe p;
  p.th = {2, 1};
  p.on(ProbeEvent::RunStarted);
  p.on(ProbeEvent::Armed);
  p.on(ProbeEvent::Failed);
  EXPECT_EQ(p.state, ProbeState::Failing);
  p.on(ProbeEvent::Passed);
  EXPECT_EQ(p.state, ProbeState::Failing);
  p.on(ProbeEvent::Passed);
  EXPECT_EQ(p.state, ProbeState::Passing);
}

TEST(ProbeState, NoVerdictUntilAThresholdIsReached) {
  Probe p;
  p.on(ProbeEvent::RunStarted);
  p.on(ProbeEvent::Armed);
  p.on(ProbeEvent::Failed);
  EXPECT_EQ(p.state, ProbeState::Unknown);
}

TEST(ProbeState, ANewRunStartsTheCountAgainAndLateResultsAreIgnored) {
  Probe p;
  p.on(ProbeEvent::RunStarted);
  p.on(ProbeEvent::Armed);
  p.on(ProbeEvent::Failed);
  p.on(ProbeEvent::Failed);
  p.on(ProbeEvent::RunEnded);
  EXPECT_EQ(p.state, ProbeState::Off);
  EXPECT_TRUE(p.on(ProbeEvent::Failed).ignored);
  p.on(ProbeEvent::RunStarted);
  EXPECT_EQ(p.streak.failures, 0);
  EXPECT_TRUE(p.on(ProbeEvent::Armed).check);
}

TEST(ProbeState, EveryPairIsDecided) {
  for (auto s : {ProbeState::Off, ProbeState::Waiting, ProbeState::Unknown, ProbeState::Passing, ProbeState::Failing})
    for (auto e : {ProbeEvent::RunStarted, ProbeEvent::RunEnded, ProbeEvent::Armed, ProbeEvent::Passed,
                   ProbeEvent::Failed}) {
      ProbeStreak streak;
      ProbeStep step = transition(s, e, streak, {});
      EXPECT_FALSE(to_string(step.next) == "?");
    }
}

}  // namespace
}  // namespace vigil
