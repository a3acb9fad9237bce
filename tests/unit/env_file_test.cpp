#include "vigil/env_file.hpp"

#include <gtest/gtest.h>

using namespace vigil;

using Vars = std::vector<std::pair<std::string, std::string>>;

TEST(EnvFile, DotenvLines) {
  auto f = parse_env_file(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED = around the equals  \n"
      "COMMENTED=abc # trailing comment\n"
      "HASH=a#b\n"
      "SINGLE='keeps $HOME and \\n'\n"
      "DOUBLE=\"tab\\there \\\"quoted\\\" \\$HOME\" # ok\n"
      "EMPTY=\n"
      "PLAIN=again\r\n",
      "app.env");
  EXPECT_TRUE(f.errors.empty()) << f.errors[0].str();
  EXPECT_EQ(f.vars, (Vars{{"PLAIN", "again"},
                          {"EXPORTED", "yes"},
                          {"SPACED", "around the equals"},
                          {"COMMENTED", "abc"},
                          {"HASH", "a#b"},
                          {"SINGLE", "keeps $HOME and \\n"},
                          {"DOUBLE", "tab\there \"quoted\" $HOME"},
                          {"EMPTY", ""}}));
}

TEST(EnvFile, EveryBadLineIsReportedWithFileAndLine) {
  auto f = parse_env_file(
      "GOOD=1\n"
      "no equals here\n"
      "1BAD=x\n"
      "BAD-NAME=x\n"
      "OPEN=\"never closed\n"
      "ESC=\"\\q\"\n"
      "AFTER='x' junk\n",
      "app.env");
  ASSERT_EQ(f.errors.size(), 6u);
  EXPECT_EQ(f.errors[0].str(), "app.env:2:4: expected '=' after no");
  EXPECT_EQ(f.errors[1].line, 3u);
  EXPECT_EQ(f.errors[2].str(), "app.env:4:4: '-' cannot be part of a name; expected KEY=value");
  EXPECT_EQ(f.errors[3].str(), "app.env:5:6: unterminated double quote (a value is one line)");
  EXPECT_EQ(f.errors[4].line, 6u);
  EXPECT_EQ(f.errors[5].str(), "app.env:7:11: unexpected text after the closing quote");
  EXPECT_EQ(f.vars, (Vars{{"GOOD", "1"}}));
}
