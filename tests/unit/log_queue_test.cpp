#include "vigil/log_queue.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(LogQueue, BlockPolicyPausesTheProducerAndNeverDrops) {
  LogQueue q(OverflowPolicy::Block, 10);
  EXPECT_EQ(q.push(std::string(6, 'a'), 1), LogQueue::PushResult::Queued);
  EXPECT_EQ(q.push(std::string(6, 'b'), 1), LogQueue::PushResult::Paused);
  EXPECT_EQ(q.queued_bytes(), 12u);  // the chunk that crossed the mark is kept, not lost
  LogQueue::Taken t = q.take();
  EXPECT_EQ(t.chunks.size(), 2u);
  EXPECT_TRUE(t.resume);
  EXPECT_EQ(t.dropped_lines, 0u);
  EXPECT_FALSE(q.take().resume);  // one resume per pause
}

TEST(LogQueue, DropPolicyCountsDroppedLines) {
  LogQueue q(OverflowPolicy::Drop, 10);
  EXPECT_EQ(q.push(std::string(8, 'a'), 2), LogQueue::PushResult::Queued);
  EXPECT_EQ(q.push(std::string(8, 'b'), 3), LogQueue::PushResult::Dropped);
  EXPECT_EQ(q.push(std::string(8, 'c'), 4), LogQueue::PushResult::Dropped);
  LogQueue::Taken t = q.take();
  EXPECT_EQ(t.chunks.size(), 1u);
  EXPECT_EQ(t.dropped_lines, 7u);
  EXPECT_FALSE(t.resume);
  EXPECT_EQ(q.push(std::string(8, 'd'), 1), LogQueue::PushResult::Queued);
  EXPECT_EQ(q.take().dropped_lines, 0u);
  EXPECT_EQ(q.total_dropped(), 7u);
}

TEST(LogQueue, AnOversizedChunkIntoAnEmptyQueueIsKept) {
  LogQueue q(OverflowPolicy::Drop, 10);
  EXPECT_EQ(q.push(std::string(50, 'a'), 1), LogQueue::PushResult::Queued);
}
