#include "vigil/line_matcher.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(LineMatcher, CountsTheLinesEachPatternIsFoundInAndKeepsTheLastOne) {
  LineMatcher m({{"errors", "ERROR|Traceback"}, {"slow", "took [0-9]{4,}ms"}}, "");
  m.feed("INFO all fine", 1);
  m.feed("ERROR disk full", 2);
  m.feed("request took 12000ms ERROR", 3);
  m.feed("took 999ms", 4);
  auto c = m.counters();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].name, "errors");
  EXPECT_EQ(c[0].count, 2u);
  EXPECT_EQ(c[0].last_line, "request took 12000ms ERROR");
  EXPECT_EQ(c[0].last_at, 3);
  EXPECT_EQ(c[1].count, 1u);
}

TEST(LineMatcher, TheKeptLineIsBounded) {
  LineMatcher m({{"x", "x"}}, "");
  m.feed(std::string(10000, 'x'), 1);
  EXPECT_EQ(m.counters()[0].last_line.size(), kMatchedLineLimit);
}

TEST(LineMatcher, ReadyFiresOncePerRun) {
  LineMatcher m({}, "listening on [0-9]+");
  int ready = 0;
  m.on_ready = [&] { ++ready; };
  EXPECT_TRUE(m.idle());  // not before a run started
  m.run_started();
  EXPECT_FALSE(m.idle());
  m.feed("starting", 1);
  m.feed("listening on 8080", 2);
  m.feed("listening on 8081", 3);
  EXPECT_EQ(ready, 1);
  EXPECT_TRUE(m.idle());
  m.run_started();
  m.feed("listening on 8080", 4);
  EXPECT_EQ(ready, 2);
}

TEST(LineMatcher, PatternsAreRe2NotBacktracking) {
  // A pattern that makes a backtracking engine take exponential time is linear here.
  LineMatcher m({{"evil", "(a+)+$"}}, "");
  m.feed(std::string(100000, 'a') + "!", 1);
  EXPECT_EQ(m.counters()[0].count, 0u);
}

}  // namespace
}  // namespace vigil
