#include "vigil/redis_reply.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(RedisReply, ReadsEveryReplyTypeAcrossPieces) {
  std::string wire = "+OK\r\n-ERR no\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n";
  for (std::size_t piece : {1u, 3u, 4096u}) {
    ReadReplies r = read_replies(wire, piece);
    ASSERT_EQ(r.error, "") << piece;
    ASSERT_EQ(r.replies.size(), 6u) << piece;
    EXPECT_EQ(r.replies[0].type, RedisValue::Type::Status);
    EXPECT_EQ(r.replies[1].type, RedisValue::Type::Error);
    EXPECT_EQ(r.replies[1].str, "ERR no");
    EXPECT_EQ(r.replies[2].integer, 42);
    EXPECT_EQ(r.replies[3].str, "hello");
    EXPECT_EQ(r.replies[4].type, RedisValue::Type::Nil);
    ASSERT_EQ(r.replies[5].elements.size(), 2u);
    EXPECT_EQ(r.replies[5].elements[1].elements.at(0).str, "x");
  }
}

TEST(RedisReply, AProtocolErrorIsReportedAndAnIncompleteTailIsLeft) {
  ReadReplies bad = read_replies(":1\r\n?what\r\n");
  EXPECT_EQ(bad.replies.size(), 1u);
  EXPECT_NE(bad.error, "");
  ReadReplies tail = read_replies("$10\r\nabc");
  EXPECT_EQ(tail.error, "");
  EXPECT_TRUE(tail.replies.empty());
}

TEST(RedisReply, AClaimOfAHugeArrayIsRefusedBeforeAnythingIsAllocated) {
  ReadReplies r = read_replies("*1795374406\r\n");
  EXPECT_TRUE(r.replies.empty());
  EXPECT_EQ(r.error, "refused an array of 1795374406 elements (at most 65536)");
  EXPECT_EQ(read_replies("*65536\r\n").error, "");  // at the bound: accepted (and incomplete)
}
