// every() on a real io_context.
#include "vigil/periodic.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace vigil;
using namespace std::chrono_literals;

TEST(Periodic, CallsUntilStoppedFromInside) {
  boost::asio::io_context io;
  int calls = 0;
  PeriodicTimer t;
  t = every(io, 5ms, [&] {
    if (++calls == 3) t.stop();
  });
  EXPECT_TRUE(t.active());
  io.run_for(10s);  // returns once nothing is left to do: the timer stopped itself
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(t.active());
}

TEST(Periodic, NoCallAfterTheHandleIsGone) {
  boost::asio::io_context io;
  int calls = 0;
  {
    PeriodicTimer t = every(io, 1ms, [&] { ++calls; });
    io.run_for(1ms);
  }
  int seen = calls;
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(calls, seen);
}

TEST(Periodic, AssigningANewOneStopsTheOld) {
  boost::asio::io_context io;
  int old_calls = 0, new_calls = 0;
  PeriodicTimer t = every(io, 1ms, [&] { ++old_calls; });
  t = every(io, 1ms, [&] {
    if (++new_calls == 2) t.stop();
  });
  io.run_for(10s);
  EXPECT_EQ(old_calls, 0);
  EXPECT_EQ(new_calls, 2);
}

// The schedule itself, without a clock: a fixed rate on a grid of period/16 (at most 50 ms).
TEST(Periodic, CallsComeAtAFixedRateOnAGridAndSkipAheadWhenLate) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point t0 = Clock::time_point{} + 1000s;  // on every grid
  // The first: a period from now, rounded up to the 50 ms grid of a 1 s period.
  EXPECT_EQ(next_periodic_expiry({}, t0 + 7ms, 1s), t0 + 1050ms);
  // Then a period after the last one was due, however long the call took: no drift.
  EXPECT_EQ(next_periodic_expiry(t0 + 1050ms, t0 + 1050ms + 300ms, 1s), t0 + 2050ms);
  // A call that ran past the next one's time: a period from now, not a burst of the missed ones.
  EXPECT_EQ(next_periodic_expiry(t0 + 1050ms, t0 + 3010ms, 1s), t0 + 4050ms);
  // Short periods get a finer grid: 1/16 of 20 ms is 1.25 ms.
  EXPECT_EQ(next_periodic_expiry({}, t0 + 1ms, 20ms), t0 + 21250us);
  // A period that is no multiple of the grid is rounded up each time (1.23 s -> 1.25 s).
  EXPECT_EQ(next_periodic_expiry(t0, t0 + 1ms, 1230ms), t0 + 1250ms);
}
