#include "vigil/proc_parse.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace vigil;

TEST(ProcParse, ReadsTheFieldsSamplingNeeds) {
  std::string line =
      "6057 (cat) R 6051 6051 1163 0 -1 4194304 101 0 0 0 7 3 0 0 20 0 1 0 111884 3133440 408 "
      "18446744073709551615 94781947486208 94781947506089 140735330697408 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
  ProcStat st;
  ASSERT_TRUE(parse_proc_stat(line, &st));
  EXPECT_EQ(st.pid, 6057);
  EXPECT_EQ(st.state, 'R');
  EXPECT_EQ(st.ppid, 6051);
  EXPECT_EQ(st.pgrp, 6051);
  EXPECT_EQ(st.session, 1163);
  EXPECT_EQ(st.utime, 7u);
  EXPECT_EQ(st.stime, 3u);
  EXPECT_EQ(st.num_threads, 1);
  EXPECT_EQ(st.starttime, 111884u);
  EXPECT_EQ(st.rss_pages, 408);
}

TEST(ProcParse, ACommandNameWithSpacesAndParenthesesDoesNotShiftFields) {
  std::string line = "42 (evil) name) (x) S 1 42 42 0 -1 0 0 0 0 0 100 50 0 0 20 0 4 0 999 0 12 0";
  ProcStat st;
  ASSERT_TRUE(parse_proc_stat(line, &st));
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 1);
  EXPECT_EQ(st.utime, 100u);
  EXPECT_EQ(st.num_threads, 4);
  EXPECT_EQ(st.rss_pages, 12);
}

TEST(ProcParse, RejectsTruncatedText) {
  ProcStat st;
  EXPECT_FALSE(parse_proc_stat("", &st));
  EXPECT_FALSE(parse_proc_stat("12 (x) S 1 2", &st));
  EXPECT_FALSE(parse_proc_stat("12 (x", &st));
}

TEST(ProcParse, ChildrenList) {
  std::vector<pid_t> pids;
  parse_children("12 345 6 ", [&](pid_t p) { pids.push_back(p); });
  parse_children("77", [&](pid_t p) { pids.push_back(p); });
  parse_children("", [&](pid_t p) { pids.push_back(p); });
  EXPECT_EQ(pids, (std::vector<pid_t>{12, 345, 6, 77}));
}

TEST(ProcParse, ADigitRunTooLongForAPidIsSkippedNotWrapped) {
  std::vector<pid_t> pids;
  parse_children("12 99999999999 2147483648 34 123456789012345678901234567890 2147483647",
                 [&](pid_t p) { pids.push_back(p); });
  EXPECT_EQ(pids, (std::vector<pid_t>{12, 34, 2147483647}));
}

TEST(ProcParse, AFieldBeyondInt64IsMalformedNotWrapped) {
  std::string line =
      "42 (x) S 1 42 42 0 -1 0 0 0 0 0 99999999999999999999999 50 0 0 20 0 4 0 999 0 12 0";
  ProcStat st;
  EXPECT_FALSE(parse_proc_stat(line, &st));
}

TEST(ProcParse, SchedstatRuntimeIsTheFirstField) {
  EXPECT_EQ(parse_schedstat_runtime("8049159 1071292 4\n"), 8049159u);
  EXPECT_EQ(parse_schedstat_runtime("0 0 0\n"), 0u);
  EXPECT_FALSE(parse_schedstat_runtime(""));
  EXPECT_FALSE(parse_schedstat_runtime("-5 0 0\n"));
  EXPECT_FALSE(parse_schedstat_runtime("x 0 0\n"));
  EXPECT_FALSE(parse_schedstat_runtime("99999999999999999999999 0 0\n"));
}
