#include "vigil/metric_window.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

MetricSeries counter(std::initializer_list<std::pair<double, double>> pts) {
  MetricSeries s;
  for (auto [t, v] : pts) s.add(t, v);
  return s;
}

TEST(MetricWindow, AWindowLongerThanTheDataSeenHasNoValue) {
  auto s = counter({{100, 1}, {110, 2}, {120, 3}});
  EXPECT_FALSE(s.apply(WindowFn::Increase, 120, 60));
  EXPECT_FALSE(s.apply(WindowFn::AvgOver, 120, 21));
  EXPECT_TRUE(s.apply(WindowFn::AvgOver, 120, 20));
}

TEST(MetricWindow, IncreaseCountsFromTheBaselineBeforeTheWindow) {
  auto s = counter({{0, 10}, {10, 12}, {20, 15}, {30, 21}});
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Increase, 30, 20), 9);  // baseline 12 at t=10
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Rate, 30, 20), 9.0 / 20);
}

TEST(MetricWindow, ACounterResetIsNotANegativeRate) {
  // The process restarted between t=20 and t=30 and counts again from 0.
  auto s = counter({{0, 100}, {10, 110}, {20, 120}, {30, 4}, {40, 9}});
  // Baseline 110 at t=10: +10, then a reset to 4 counts 4, then +5.
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Increase, 40, 30), 10 + 4 + 5);
  EXPECT_GE(*s.apply(WindowFn::Rate, 40, 30), 0);
}

TEST(MetricWindow, ChangesCountsDistinctSuccessiveValues) {
  auto s = counter({{0, 5}, {10, 5}, {20, 6}, {30, 6}, {40, 7}});
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Changes, 40, 30), 2);
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Changes, 40, 10), 1);
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Changes, 30, 10), 0);
}

TEST(MetricWindow, GaugesOverTheWindow) {
  auto s = counter({{0, 50}, {10, 1}, {20, 9}, {30, 5}});
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::MaxOver, 30, 25), 9);
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::MinOver, 30, 25), 1);
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::AvgOver, 30, 25), 5);
}

TEST(MetricWindow, NoPointInsideTheWindowHasNoValue) {
  auto s = counter({{0, 1}, {10, 2}});
  EXPECT_FALSE(s.apply(WindowFn::MaxOver, 100, 30));  // down since t=10
}

TEST(MetricWindow, CapacityAndPruningBoundTheHistory) {
  MetricSeries s(8);
  for (int t = 0; t < 100; ++t) s.add(t, t);
  EXPECT_EQ(s.size(), 8u);
  EXPECT_FALSE(s.apply(WindowFn::Increase, 99, 50));  // the capacity cannot reach back that far
  s.prune(99, 3);
  EXPECT_EQ(s.size(), 4u);  // 96 (baseline), 97, 98, 99
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::Increase, 99, 3), 3);
}

TEST(MetricWindow, ASecondReadingAtTheSameTimeReplacesTheFirst) {
  MetricSeries s;
  s.add(10, 1);
  s.add(10, 2);
  EXPECT_EQ(s.size(), 1u);
}

TEST(MetricWindow, FunctionsByName) {
  EXPECT_EQ(window_fn_named("avg_over"), WindowFn::AvgOver);
  EXPECT_FALSE(window_fn_named("avg"));
}

TEST(MetricWindow, SpacingThinsABurstButKeepsTheWindowCovered) {
  MetricSeries s;
  s.add(0, 1, 1.0);
  for (int i = 1; i <= 100; ++i) s.add(10 + i * 0.01, i, 1.0);  // a burst within one second
  EXPECT_LE(s.size(), 3u);
  EXPECT_DOUBLE_EQ(*s.apply(WindowFn::MaxOver, 11, 5), 100);
  EXPECT_TRUE(s.apply(WindowFn::Increase, 11, 11));
}

TEST(WindowHistory, UpdatesCountsChangesOfTheFreshnessTimestamp) {
  WindowHistory h;
  h.set_needs({{kUpdates, 60}});
  auto none = [](const std::string&) { return std::optional<double>(); };
  h.record("bridge", 0, none, 1000.0);
  h.record("bridge", 10, none, 1000.0);  // read again, not written
  h.record("bridge", 20, none, 1020.0);
  h.record("bridge", 30, none, 1030.0);
  EXPECT_DOUBLE_EQ(*h.apply("bridge", WindowFn::Increase, kUpdates, 30, 30), 2);
  EXPECT_DOUBLE_EQ(*h.apply("bridge", WindowFn::Increase, kUpdates, 30, 15), 2);  // at 20 and at 30
  EXPECT_DOUBLE_EQ(*h.apply("bridge", WindowFn::Increase, kUpdates, 30, 5), 1);
  h.record("bridge", 100, none, 1030.0);  // the writer stopped
  EXPECT_DOUBLE_EQ(*h.apply("bridge", WindowFn::Increase, kUpdates, 100, 60), 0);
  EXPECT_FALSE(h.apply("bridge", WindowFn::Increase, kUpdates, 100, 600));  // not covered
  EXPECT_FALSE(h.apply("other", WindowFn::Increase, kUpdates, 100, 60));
}

TEST(WindowHistory, KeepsOnlyWhatTheRulesNeed) {
  WindowHistory h;
  h.set_needs({{"cpu", 10}, {"memory", 10}});
  auto read = [](const std::string& m) { return std::optional<double>(m == "cpu" ? 50.0 : 1e6); };
  for (int t = 0; t <= 20; ++t) h.record("svc", t, read, std::nullopt);
  EXPECT_DOUBLE_EQ(*h.apply("svc", WindowFn::AvgOver, "cpu", 20, 10), 50);
  h.set_needs({{"cpu", 10}});
  EXPECT_FALSE(h.apply("svc", WindowFn::AvgOver, "memory", 20, 10));
}

}  // namespace
}  // namespace vigil
