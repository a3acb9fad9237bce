#include "vigil/job_run_state.hpp"

#include <gtest/gtest.h>

using namespace vigil;

namespace {

constexpr RunState kStates[] = {RunState::Waiting, RunState::Condition, RunState::Running,
                                RunState::Stopping, RunState::RetryWait, RunState::Done};
constexpr RunEvent kEvents[] = {RunEvent::Admitted,  RunEvent::ConditionPassed, RunEvent::ConditionSkip,
                                RunEvent::ConditionFailed, RunEvent::SpawnFailed, RunEvent::Succeeded,
                                RunEvent::Failed,    RunEvent::Timeout,       RunEvent::OutputTimeout,
                                RunEvent::Cancel,    RunEvent::StopTimeout,   RunEvent::Gone,
                                RunEvent::RetryElapsed};

// Drives a run through a list of events and returns the states it passes.
std::vector<std::string> walk(RunFacts f, std::initializer_list<RunEvent> events, RunResult* last = nullptr) {
  RunState s = RunState::Waiting;
  std::vector<std::string> seen;
  for (RunEvent e : events) {
    RunStep step = transition(s, e, f);
    if ((step.actions & (kRunEndAttempt | kRunFinish)) && last) *last = step.result;
    if (step.next == RunState::Stopping && step.result != RunResult::None) f.stopping_for = step.result;
    s = step.next;
    seen.emplace_back(to_string(s));
  }
  return seen;
}

using V = std::vector<std::string>;

}  // namespace

TEST(JobRunState, DoneIgnoresEverything) {
  for (RunEvent e : kEvents) EXPECT_TRUE(transition(RunState::Done, e, {}).ignored) << to_string(e);
}

TEST(JobRunState, EveryCellIsDecidedAndNamed) {
  for (RunState s : kStates) {
    EXPECT_NE(to_string(s), "?");
    for (RunEvent e : kEvents) {
      EXPECT_NE(to_string(e), "?");
      RunStep step = transition(s, e, {true, true, RunResult::Timeout});
      if (step.ignored) { EXPECT_EQ(step.next, s); }
      if (step.actions & kRunFinish) { EXPECT_EQ(step.next, RunState::Done); }
    }
  }
}

TEST(JobRunState, ConditionSaysNoWork) {
  RunResult r = RunResult::None;
  EXPECT_EQ(walk({true, true}, {RunEvent::Admitted, RunEvent::ConditionSkip}, &r), (V{"condition", "done"}));
  EXPECT_EQ(r, RunResult::Skipped) << "a skip is never retried";
}

TEST(JobRunState, ConditionPassesThenTheCommandRuns) {
  RunStep s = transition(RunState::Condition, RunEvent::ConditionPassed, {true, false});
  EXPECT_EQ(s.next, RunState::Running);
  EXPECT_EQ(s.actions, kRunSpawnCommand);
  EXPECT_EQ(transition(RunState::Waiting, RunEvent::Admitted, {false, false}).actions, kRunSpawnCommand | kRunArmTimeout);
}

TEST(JobRunState, FailureRetriesWhileRetriesAreLeft) {
  RunResult r = RunResult::None;
  EXPECT_EQ(walk({false, true}, {RunEvent::Admitted, RunEvent::Failed, RunEvent::RetryElapsed}, &r),
            (V{"running", "retry-wait", "running"}));
  EXPECT_EQ(r, RunResult::Failed);
  RunStep last = transition(RunState::Running, RunEvent::Failed, {false, false});
  EXPECT_EQ(last.next, RunState::Done);
  EXPECT_EQ(last.actions, kRunEndAttempt | kRunFinish);
}

TEST(JobRunState, TimeoutStopsTheGroupAndCountsAsTimeout) {
  RunResult r = RunResult::None;
  EXPECT_EQ(walk({false, false}, {RunEvent::Admitted, RunEvent::Timeout, RunEvent::StopTimeout, RunEvent::Succeeded}, &r),
            (V{"running", "stopping", "stopping", "done"}));
  EXPECT_EQ(r, RunResult::Timeout) << "a job that exits 0 on SIGTERM still timed out";
  EXPECT_EQ(transition(RunState::Stopping, RunEvent::StopTimeout, {}).actions, kRunKillGroup);
}

TEST(JobRunState, OutputTimeoutIsRetryable) {
  EXPECT_EQ(walk({false, true}, {RunEvent::Admitted, RunEvent::OutputTimeout, RunEvent::Gone}),
            (V{"running", "stopping", "retry-wait"}));
}

TEST(JobRunState, CancelIsFinalEverywhere) {
  RunResult r = RunResult::None;
  EXPECT_EQ(walk({false, true}, {RunEvent::Cancel}, &r), (V{"done"}));
  EXPECT_EQ(r, RunResult::Cancelled);
  EXPECT_EQ(walk({false, true}, {RunEvent::Admitted, RunEvent::Cancel, RunEvent::Gone}, &r),
            (V{"running", "stopping", "done"}));
  EXPECT_EQ(r, RunResult::Cancelled) << "never retried";
  EXPECT_EQ(walk({false, true}, {RunEvent::Admitted, RunEvent::Failed, RunEvent::Cancel}, &r),
            (V{"running", "retry-wait", "done"}));
  EXPECT_EQ(r, RunResult::Cancelled);
}

TEST(JobRunState, RetryableResults) {
  EXPECT_TRUE(retryable(RunResult::Failed));
  EXPECT_TRUE(retryable(RunResult::Timeout));
  EXPECT_TRUE(retryable(RunResult::OutputTimeout));
  EXPECT_FALSE(retryable(RunResult::Skipped));
  EXPECT_FALSE(retryable(RunResult::Cancelled));
  EXPECT_FALSE(retryable(RunResult::Success));
}
