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
