#include "vigil/notify_message.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(NotifyMessage, UnderstandsTheAssignmentsSystemdDaemonsSend) {
  NotifyMessage m = parse_notify("READY=1\nSTATUS=Processing scan 42\nMAINPID=1234\n");
  EXPECT_TRUE(m.ready);
  EXPECT_EQ(m.status, "Processing scan 42");
  EXPECT_EQ(m.mainpid, 1234);
  EXPECT_FALSE(m.watchdog);
  EXPECT_TRUE(parse_notify("WATCHDOG=1").watchdog);
  EXPECT_TRUE(parse_notify("WATCHDOG=trigger").watchdog_trigger);
  EXPECT_TRUE(parse_notify("WATCHDOG_TRIGGER=1").watchdog_trigger);
  EXPECT_TRUE(parse_notify("STOPPING=1").stopping);
}

TEST(NotifyMessage, IgnoresUnknownAndGarbage) {
  NotifyMessage m = parse_notify("FDSTORE=1\nnonsense\n\x01\x02=\xff\nREADY=0\nMAINPID=abc\nMAINPID=99999999999");
  EXPECT_FALSE(m.ready);
  EXPECT_FALSE(m.mainpid);
  EXPECT_FALSE(m.status);
}

TEST(NotifyMessage, StatusStaysOneLine) {
  EXPECT_EQ(parse_notify(std::string("STATUS=a\tb\rc")).status, "a b c");
}
