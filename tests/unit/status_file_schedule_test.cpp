#include "vigil/status_file_schedule.hpp"

#include <gtest/gtest.h>

#include "vigil/job_record.hpp"

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
  sched.snapshot_taken();
  EXPECT_TRUE(sched.due(snap, t0 + 100ms));
  sched.snapshot_taken();
  EXPECT_FALSE(sched.due(snap, t0 + 1s));
}

// A rule's restart happens while a snapshot is evaluated: that snapshot still shows the service
// running, so the change is written with the next one, not consumed by this one.
TEST(StatusFileSchedule, AChangeNotedWhileASnapshotIsEvaluatedIsWrittenWithTheNext) {
  StatusFileSchedule sched;
  TimePoint t0{};
  Snapshot snap;
  sched.snapshot_taken();
  ASSERT_TRUE(sched.due(snap, t0));
  sched.snapshot_taken();
  sched.note_change();  // during evaluate()
  EXPECT_FALSE(sched.due(snap, t0 + 1s));
  sched.snapshot_taken();
  EXPECT_TRUE(sched.due(snap, t0 + 1100ms));
}

TEST(StatusFileSchedule, TheStoreGoingDownTheRulesReloadedAndAJobStartingAreWritten) {
  StatusFileSchedule sched;
  TimePoint t0{};
  Snapshot snap;
  snap.store = {true, true, ""};
  JobSnapshot job;
  job.name = "nightly";
  snap.jobs.push_back(job);
  ASSERT_TRUE(sched.due(snap, t0));
  EXPECT_FALSE(sched.due(snap, t0 + 1s));
  snap.store.up = false;
  EXPECT_TRUE(sched.due(snap, t0 + 2s));
  snap.rules.loaded_at = 1795374406.5;
  EXPECT_TRUE(sched.due(snap, t0 + 3s));
  snap.jobs[0].state = "running";
  snap.jobs[0].run = ActiveRun{7};
  EXPECT_TRUE(sched.due(snap, t0 + 4s));
  snap.jobs[0].run->started = 12;  // a figure, not a change of state
  EXPECT_FALSE(sched.due(snap, t0 + 5s));
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
