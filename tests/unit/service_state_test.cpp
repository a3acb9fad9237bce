#include "vigil/service_state.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace vigil;

namespace {

constexpr State kStates[] = {State::Stopped, State::Starting, State::Running,
                             State::Stopping, State::Backoff, State::Failed};
constexpr Event kEvents[] = {Event::Start,        Event::Stop,       Event::Restart,     Event::Spawned,
                             Event::SpawnFailed,  Event::Ready,      Event::StartTimeout, Event::MainExited,
                             Event::Exited,       Event::StopTimeout, Event::DelayElapsed, Event::RetryElapsed};

struct Expect {
  State next;
  std::uint32_t actions;
  bool ignored;
};

// The whole table for verdict = RestartLater (the verdict only matters for Exited/SpawnFailed,
// covered separately below). Written out in full so a change to any cell shows up here.
std::map<std::pair<State, Event>, Expect> table() {
  using S = State;
  using E = Event;
  std::map<std::pair<State, Event>, Expect> t;
  auto set = [&](S s, E e, S n, std::uint32_t a, bool ign = false) { t[{s, e}] = {n, a, ign}; };
  for (S s : {S::Stopped, S::Backoff, S::Failed}) {
    set(s, E::Start, S::Starting, kSpawn);
    set(s, E::Restart, S::Starting, kSpawn);
    set(s, E::Stop, S::Stopped, kNone, s == S::Stopped);
    for (E e : {E::Spawned, E::SpawnFailed, E::Ready, E::StartTimeout, E::MainExited, E::Exited, E::StopTimeout})
      set(s, e, s, kNone, true);
    set(s, E::DelayElapsed, s == S::Backoff ? S::Starting : s, s == S::Backoff ? kSpawn : kNone, s != S::Backoff);
    set(s, E::RetryElapsed, s == S::Failed ? S::Starting : s, s == S::Failed ? kSpawn : kNone, s != S::Failed);
  }
  set(S::Starting, E::Start, S::Starting, kNone, true);
  set(S::Starting, E::Stop, S::Stopping, kSignalGroup | kArmStopTimer);
  set(S::Starting, E::Restart, S::Stopping, kSignalGroup | kArmStopTimer);
  set(S::Starting, E::StartTimeout, S::Stopping, kSignalGroup | kArmStopTimer);
  set(S::Starting, E::Spawned, S::Starting, kArmStartTimer);
  set(S::Starting, E::SpawnFailed, S::Backoff, kArmDelayTimer);
  set(S::Starting, E::Exited, S::Backoff, kArmDelayTimer);
  set(S::Starting, E::Ready, S::Running, kNone);
  set(S::Starting, E::MainExited, S::Starting, kKillGroup);
  for (E e : {E::StopTimeout, E::DelayElapsed, E::RetryElapsed}) set(S::Starting, e, S::Starting, kNone, true);

  for (E e : {E::Start, E::Ready, E::Spawned, E::SpawnFailed, E::StartTimeout, E::StopTimeout, E::DelayElapsed,
              E::RetryElapsed})
    set(S::Running, e, S::Running, kNone, true);
  set(S::Running, E::Stop, S::Stopping, kSignalGroup | kArmStopTimer);
  set(S::Running, E::Restart, S::Stopping, kSignalGroup | kArmStopTimer);
  set(S::Running, E::MainExited, S::Running, kKillGroup);
  set(S::Running, E::Exited, S::Backoff, kArmDelayTimer);

  for (E e : {E::Start, E::Stop, E::Restart, E::MainExited, E::Spawned, E::SpawnFailed, E::Ready, E::StartTimeout,
              E::DelayElapsed, E::RetryElapsed})
    set(S::Stopping, e, S::Stopping, kNone, true);
  set(S::Stopping, E::Exited, S::Backoff, kArmDelayTimer);
  set(S::Stopping, E::StopTimeout, S::Stopping, kKillGroup);
  return t;
}

}  // namespace

TEST(ServiceState, EveryStateAndEventIsDecided) {
  auto expected = table();
  ASSERT_EQ(expected.size(), std::size(kStates) * std::size(kEvents)) << "the expected table must be complete";
  for (State s : kStates) {
    for (Event e : kEvents) {
      Step step = transition(s, e, Verdict::RestartLater);
      const Expect& x = expected.at({s, e});
      EXPECT_EQ(step.next, x.next) << to_string(s) << " + " << to_string(e);
      EXPECT_EQ(step.actions, x.actions) << to_string(s) << " + " << to_string(e);
      EXPECT_EQ(step.ignored, x.ignored) << to_string(s) << " + " << to_string(e);
    }
  }
}

TEST(ServiceState, TheEndOfARunFollowsTheVerdict) {
  for (State s : {State::Starting, State::Running, State::Stopping}) {
    EXPECT_EQ(transition(s, Event::Exited, Verdict::RestartNow).next, State::Starting);
    EXPECT_EQ(transition(s, Event::Exited, Verdict::RestartNow).actions, kSpawn);
    EXPECT_EQ(transition(s, Event::Exited, Verdict::StayDown).next, State::Stopped);
    EXPECT_EQ(transition(s, Event::Exited, Verdict::GiveUp).next, State::Failed);
    EXPECT_EQ(transition(s, Event::Exited, Verdict::GiveUp).actions, kArmRetryTimer);
  }
  EXPECT_EQ(transition(State::Starting, Event::SpawnFailed, Verdict::GiveUp).next, State::Failed);
  EXPECT_EQ(transition(State::Starting, Event::SpawnFailed, Verdict::StayDown).next, State::Stopped);
}

TEST(ServiceState, ProcessActionsOnlyWhereProcessesMayExist) {
  for (State s : kStates)
    for (Event e : kEvents)
      for (Verdict v : {Verdict::RestartNow, Verdict::RestartLater, Verdict::StayDown, Verdict::GiveUp}) {
        Step step = transition(s, e, v);
        if (step.actions & (kSignalGroup | kKillGroup)) {
          EXPECT_TRUE(has_processes(s)) << to_string(s) << " + " << to_string(e);
        }
        if (step.actions & kSpawn) {
          EXPECT_EQ(step.next, State::Starting) << to_string(s) << " + " << to_string(e);
        }
      }
}

TEST(ServiceState, NamesAreTheOnesStatusShows) {
  EXPECT_EQ(to_string(State::Backoff), "backoff");
  EXPECT_EQ(to_string(State::Failed), "failed");
  EXPECT_EQ(to_string(Event::StopTimeout), "stop timeout");
}
