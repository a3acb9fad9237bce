#include "vigil/status_file_schedule.hpp"

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

Snapshot with_alert(AlertState state) {
  Snapshot s;
  AlertView a;
  a.rule = "stale";
  a.service = "bridge";
  a.state = state;
  a.value = "12 s";
  s.alerts.push_back(a);
  return s;
}

}  // namespace

TEST(StatusFileSchedule, TheFirstPublishIsWrittenAndTheSameStateAgainWaitsForTheRefresh) {
  StatusFileSchedule sched;
  TimePoint t0{};
  Snapshot snap;
  EXPECT_TRUE(sched.due(snap, t0));
  EXPECT_FALSE(sched.due(snap, t0 + 1s));
  EXPECT_FALSE(sched.due(snap, t0 + StatusFileSchedule::kRefresh - 1ms));
  EXPECT_TRUE(sched.due(snap, t0 + StatusFileSchedule::kRefresh));
  EXPECT_FALSE(sched.due(snap, t0 + StatusFileSchedule::kRefresh + 1s));
}

TEST(StatusFileSchedule, AChangeOfStateIsWrittenAtTheNextPublishOnce) {
  StatusFileSchedule sched;
  TimePoint t0{};
  Snapshot snap;
  ASSERT_TRUE(sched.due(snap, t0));
  sched.note_change();
  EXPECT_TRUE(sched.due(snap, t0 + 100ms));
  EXPECT_FALSE(sched.due(snap, t0 + 1s));
}

TEST(StatusFileSchedule, AnAlertTurningPendingFiringOrResolvedIsWrittenButItsValuesMovingAreNot) {
  StatusFileSchedule sched;
  TimePoint t0{};
  ASSERT_TRUE(sched.due(Snapshot{}, t0));
  EXPECT_TRUE(sched.due(with_alert(AlertState::Pending), t0 + 1s));
  Snapshot later = with_alert(AlertState::Pending);
  later.alerts[0].value = "13 s";
  later.alerts[0].since = 1;
  EXPECT_FALSE(sched.due(later, t0 + 2s));
  EXPECT_TRUE(sched.due(with_alert(AlertState::Firing), t0 + 3s));
  Snapshot muted = with_alert(AlertState::Firing);
  muted.alerts[0].muted_by = "silence 1";
  EXPECT_TRUE(sched.due(muted, t0 + 4s));
  EXPECT_TRUE(sched.due(Snapshot{}, t0 + 5s));  // resolved
}
