#include "vigil/line_matcher.hpp"

#include <gtest/gtest.h>

#include "vigil/line_splitter.hpp"

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

// The per-read gate (begin_block) never changes a count: reads cut at every offset, lines cut by the
// splitter's max_line, anchors, word boundaries and patterns that could reach across lines in a block.
void expect_gated_counts_like_line_by_line(const std::vector<std::pair<std::string, std::string>>& patterns,
                                           const std::string& text) {
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    LineMatcher each(patterns, "");
    LineMatcher gated(patterns, "");
    LineSplitter a(12), b(12);
    for (std::string_view part : {std::string_view(text).substr(0, cut), std::string_view(text).substr(cut)}) {
      a.feed(part, [&](std::string_view l) { each.feed(l, 1); });
      std::string_view block = part;
      if (b.pending()) {
        std::size_t nl = part.find('\n');
        block = nl == std::string_view::npos ? std::string_view() : part.substr(nl + 1);
      }
      gated.begin_block(block);
      b.feed(part, [&](std::string_view l) { gated.feed(l, 1); });
      gated.end_block();
    }
    auto want = each.counters(), got = gated.counters();
    for (std::size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(got[i].count, want[i].count) << want[i].name << " with the read cut at " << cut;
  }
}

const std::string kMixedOutput =
    "begin here\nall done\nnot ok.\nERROR one\nx\ny\nbook\n\nzz\nTraceback (most recent)\n"
    "a long line that the splitter cuts: begin ok done\nplain\nxy\nerror, lower case\nid=deadbeef\n";

TEST(LineMatcher, TheRe2GateCountsWhatLineByLineMatchingCounts) {
  // "^$" and "[^a]zz" need no literal: the RE2 scan of each read serves this service.
  expect_gated_counts_like_line_by_line({{"errors", "ERROR|Traceback"}, {"start", "^begin"}, {"end", "done$"},
                                         {"word", "\\bok\\b"}, {"across", "(?s)x.y"}, {"none", "[^a]zz"}, {"whole", "^$"}},
                                        kMixedOutput);
}

TEST(LineMatcher, TheAtomPrefilterCountsWhatLineByLineMatchingCounts) {
  // Every pattern has an atom: Vectorscan's scan serves this service (where vigil is built with it).
  const std::vector<std::pair<std::string, std::string>> patterns = {
      {"errors", "ERROR|Traceback"}, {"start", "^begin"},       {"end", "done$"},
      {"word", "\\bbook\\b"},          {"folded", "(?i)error"}, {"id", "id=[a-f0-9]{8}$"}};
  std::vector<std::string> texts;
  for (const auto& p : patterns) texts.push_back(p.second);
  if (LinePrefilter::available()) {
    ASSERT_NE(LinePrefilter::build(texts), nullptr);
  }
  expect_gated_counts_like_line_by_line(patterns, kMixedOutput);
}

TEST(LineMatcher, OnlyTheBlocksOwnLinesArePassedOver) {
  LineMatcher m({{"errors", "ERROR"}}, "");
  std::string quiet = "INFO a\nINFO b\n";
  std::string elsewhere = "ERROR in the line an earlier read began";
  m.begin_block(quiet);
  m.feed(elsewhere, 1);
  m.feed(std::string_view(quiet).substr(0, 6), 1);
  m.end_block();
  EXPECT_EQ(m.counters()[0].count, 1u);
}

}  // namespace
}  // namespace vigil
