#include "vigil/line_splitter.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace vigil;

namespace {
std::vector<std::string> feed_all(LineSplitter& s, std::initializer_list<std::string_view> chunks, bool eof) {
  std::vector<std::string> out;
  auto take = [&](std::string_view l) { out.emplace_back(l); };
  for (auto c : chunks) s.feed(c, take);
  if (eof) s.finish(take);
  return out;
}
}  // namespace

TEST(LineSplitter, SplitsCompleteLines) {
  LineSplitter s;
  EXPECT_EQ(feed_all(s, {"a\nbb\n\nccc\n"}, false), (std::vector<std::string>{"a", "bb", "", "ccc"}));
}

TEST(LineSplitter, JoinsALineSplitAcrossReads) {
  LineSplitter s;
  EXPECT_EQ(feed_all(s, {"hel", "lo wo", "rld\nnext"}, false), (std::vector<std::string>{"hello world"}));
  EXPECT_TRUE(s.has_partial());
}

TEST(LineSplitter, KeepsAFinalPartialLineAtEof) {
  LineSplitter s;
  EXPECT_EQ(feed_all(s, {"one\ntwo"}, true), (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(s.has_partial());
}

TEST(LineSplitter, CutsOverlongLinesAtTheMaximum) {
  LineSplitter s(4);
  EXPECT_EQ(feed_all(s, {"abcdefghij\nxy\n"}, false), (std::vector<std::string>{"abcd", "efgh", "ij", "xy"}));
  LineSplitter t(4);
  EXPECT_EQ(feed_all(t, {"ab", "cdef", "g\n"}, false), (std::vector<std::string>{"abcd", "efg"}));
}
