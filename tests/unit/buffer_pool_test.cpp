// BufferPool: written chunks' memory comes back for the next chunk, bounded in count and size.
#include <gtest/gtest.h>

#include "vigil/buffer_pool.hpp"

using vigil::BufferPool;

TEST(BufferPool, ABufferGivenBackIsTakenAgainEmptyWithItsCapacity) {
  BufferPool pool(2, 1024);
  EXPECT_EQ(pool.take().capacity(), std::string().capacity());  // nothing given yet
  std::string s(600, 'x');
  const char* memory = s.data();
  pool.give(std::move(s));
  std::string again = pool.take();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), 600u);
  EXPECT_EQ(again.data(), memory);  // the same allocation, not a copy
}

TEST(BufferPool, KeepsAtMostItsCountAndNothingOversized) {
  BufferPool pool(2, 1024);
  pool.give(std::string(2000, 'x'));  // larger than a chunk should be: dropped
  EXPECT_LT(pool.take().capacity(), 2000u);
  for (int i = 0; i < 3; ++i) pool.give(std::string(500, 'x'));
  EXPECT_GE(pool.take().capacity(), 500u);
  EXPECT_GE(pool.take().capacity(), 500u);
  EXPECT_LT(pool.take().capacity(), 500u);  // the third was not kept
}
