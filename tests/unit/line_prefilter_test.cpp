#include "vigil/line_prefilter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "vigil/pattern.hpp"

namespace vigil {
namespace {

TEST(LinePrefilter, InlineFlagsAreToldFromGroupsAndNames) {
  EXPECT_TRUE(pattern_sets_flags("(?i)error"));
  EXPECT_TRUE(pattern_sets_flags("x(?s:.)y"));
  EXPECT_TRUE(pattern_sets_flags("(?-m)a"));
  EXPECT_FALSE(pattern_sets_flags("(?:ERROR|WARN) (?P<code>[0-9]+)"));
  EXPECT_FALSE(pattern_sets_flags("took [0-9]{4,}ms"));
}

TEST(LinePrefilter, PatternsThatMayNameANonAsciiCharacterAreTold) {
  EXPECT_TRUE(pattern_names_non_ascii("\xE2\x84\xAA" "elvin"));  // U+212A KELVIN SIGN
  EXPECT_TRUE(pattern_names_non_ascii("\\x{212A}elvin"));
  EXPECT_TRUE(pattern_names_non_ascii("\\p{Lu}rror"));
  EXPECT_TRUE(pattern_names_non_ascii("\\PLfail"));
  EXPECT_FALSE(pattern_names_non_ascii("took [0-9]{4,}ms"));
  EXPECT_FALSE(pattern_names_non_ascii("\\bid=[a-f0-9]{8}\\b"));
}

// Where Debian has Vectorscan (amd64, arm64, ppc64el) scripts/deps.sh installs it, and it is used.
TEST(LinePrefilter, IsBuiltWhereDebianHasVectorscan) {
#if defined(__x86_64__) || defined(__aarch64__) || defined(__powerpc64__)
  EXPECT_TRUE(LinePrefilter::available());
#endif
}

class LinePrefilterScan : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LinePrefilter::available()) GTEST_SKIP() << "built without Vectorscan";
  }
};

std::vector<std::size_t> starts_of_lines_with(std::string_view block, const std::vector<std::string>& words) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start < block.size()) {
    std::size_t end = block.find('\n', start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(start, end - start);
    for (const auto& w : words)
      if (line.find(w) != std::string_view::npos) {
        out.push_back(start);
        break;
      }
    start = end + 1;
  }
  return out;
}

TEST_F(LinePrefilterScan, ListsTheLinesThatHoldAnAtom) {
  auto f = LinePrefilter::build({"ERROR|Traceback", "took [0-9]{4,}ms"});
  ASSERT_NE(f, nullptr);
  std::string block = "INFO a\nERROR b\nINFO c\nsaid Traceback (most recent)\nok\ntook 12345ms\ncut short ERR";
  std::vector<std::size_t> starts;
  ASSERT_TRUE(f->candidate_lines(block, starts));
  EXPECT_EQ(starts, starts_of_lines_with(block, {"ERROR", "Traceback", "took "}));
}

TEST_F(LinePrefilterScan, AtomsAreFoundInAnyCaseAsRe2DoesNotNeedThem) {
  // Atoms are a superset: "error" in any case is listed, RE2 then decides (case-sensitive "ERROR" does not match "error").
  auto f = LinePrefilter::build({"ERROR"});
  ASSERT_NE(f, nullptr);
  std::vector<std::size_t> starts;
  ASSERT_TRUE(f->candidate_lines("error\nquiet\nErRoR\n", starts));
  EXPECT_EQ(starts, (std::vector<std::size_t>{0, 12}));
}

TEST_F(LinePrefilterScan, PatternsThatNeedNoLiteralAreLeftToRe2) {
  EXPECT_EQ(LinePrefilter::build({"^$"}), nullptr);
  EXPECT_EQ(LinePrefilter::build({"ERROR", "a.b"}), nullptr);  // one unfiltered pattern: every line a candidate
  EXPECT_EQ(LinePrefilter::build({"[0-9]+"}), nullptr);
  EXPECT_EQ(LinePrefilter::build({"été"}), nullptr);  // a non-ASCII atom: case is only ignored for ASCII
  EXPECT_EQ(LinePrefilter::build({}), nullptr);
  EXPECT_NE(LinePrefilter::build({"(?P<code>E[0-9]{3}) failed"}), nullptr);
}

TEST_F(LinePrefilterScan, FlagsNeedAsciiTextAndTooManyCandidatesGiveUp) {
  auto folded = LinePrefilter::build({"(?i)kelvin"});
  ASSERT_NE(folded, nullptr);
  std::vector<std::size_t> starts;
  EXPECT_TRUE(folded->candidate_lines("KELVIN\n", starts));
  // U+212A KELVIN SIGN folds to "k" in RE2: an ASCII search for "kelvin" would miss it.
  EXPECT_FALSE(folded->candidate_lines("\xE2\x84\xAA" "elvin\n", starts));
  auto plain = LinePrefilter::build({"kelvin"});
  EXPECT_TRUE(plain->candidate_lines("caf\xC3\xA9 kelvin\n", starts));
  EXPECT_EQ(starts, std::vector<std::size_t>{0});
  // The Kelvin sign in the pattern itself: FilteredRE2 lowercases it into the ASCII atom "kelvin",
  // which an ASCII search does not find where the text holds the sign (a fuzzer finding).
  for (const char* sign : {"\xE2\x84\xAA" "elvin", "\\x{212A}elvin"}) {
    auto named = LinePrefilter::build({sign});
    ASSERT_NE(named, nullptr) << sign;
    EXPECT_TRUE(named->candidate_lines("kelvin\n", starts)) << sign;
    EXPECT_FALSE(named->candidate_lines("\xE2\x84\xAA" "elvin\n", starts)) << sign;
  }
  std::string many;
  for (int i = 0; i < 256; ++i) many += "kelvin\n";  // one candidate per 7 bytes: RE2's own scan does less
  EXPECT_FALSE(plain->candidate_lines(many, starts));
}

// Whatever the prefilter passes over, no pattern is found in: random lines built from the patterns'
// own pieces, non-ASCII bytes and case changes included, against RE2 line by line.
TEST_F(LinePrefilterScan, NeverPassesOverALineAPatternIsFoundIn) {
  const std::vector<std::string> patterns = {"ERROR|Traceback", "took [0-9]{4,}ms", "(?i)warn(ing)?:", "^start.*done$",
                                            "\\bid=[a-f0-9]{8}\\b", "(abc|def)(ghi|jkl)"};
  std::vector<Pattern> compiled;
  for (const auto& p : patterns) compiled.push_back(*Pattern::compile(p, nullptr));
  auto f = LinePrefilter::build(patterns);
  ASSERT_NE(f, nullptr);
  const std::vector<std::string> pieces = {"ERROR", "error", "Traceback", "took ", "12345", "ms", "WARN", "warning:", "start",
                                           "done", "id=", "deadbeef", "abc", "jkl", "def", " ", "x", "\xC3\xA9", "\xE2\x84\xAA"};
  std::mt19937 rng(7);
  int judged = 0;
  for (int round = 0; round < 400; ++round) {
    // Every other block is ASCII: with a (?i) pattern in the set, only those are judged here.
    std::size_t kinds = round % 2 ? pieces.size() : pieces.size() - 2;
    std::string block;
    for (int line = 0; line < 20; ++line) {
      block += "2026-12-02T15:04:05.123Z out ";  // as in a log, so that atoms stay under one per 32 bytes
      int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) block += pieces[rng() % kinds];
      block += '\n';
    }
    std::vector<std::size_t> starts;
    if (!f->candidate_lines(block, starts)) continue;  // RE2 scans such a block itself
    ++judged;
    std::size_t start = 0;
    while (start < block.size()) {
      std::size_t end = block.find('\n', start);
      std::string_view line(block.data() + start, end - start);
      bool listed = std::find(starts.begin(), starts.end(), start) != starts.end();
      for (const auto& p : compiled)
        if (p.found_in(line)) {
          EXPECT_TRUE(listed) << "passed over \"" << line << "\", which " << p.text() << " is found in";
        }
      start = end + 1;
    }
  }
  EXPECT_GE(judged, 150);
}

}  // namespace
}  // namespace vigil
