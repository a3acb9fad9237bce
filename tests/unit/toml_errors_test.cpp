#include "vigil/toml_errors.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(TomlErrors, TakesLineAndColumnFromTheCaret) {
  std::string what =
      "[error] toml::parse_key_value_pair: missing value after key-value separator '='\n"
      " --> c.toml\n"
      "   |\n"
      " 2 | log_keep = \n"
      "   |            ^--- expected value, but got nothing";
  Diagnostic d = diagnostic_from_toml_error(what, "c.toml", 1);
  EXPECT_EQ(d.str(), "c.toml:2:12: TOML syntax error: missing value after key-value separator '=' "
                     "(expected value, but got nothing)");
}

TEST(TomlErrors, UsesTheLastSnippetForDuplicates) {
  std::string what =
      "[error] toml::insert_value: value (\"log_keep\") already exists.\n"
      " --> b.toml\n"
      "   |\n"
      " 2 | log_keep = 5\n"
      "   |            ^--- value already exists here\n"
      " ...\n"
      " 3 | log_keep = 6\n"
      "   |            ^--- value defined twice";
  Diagnostic d = diagnostic_from_toml_error(what, "b.toml", 3);
  EXPECT_EQ(d.line, 3u);
  EXPECT_EQ(d.column, 12u);
  EXPECT_NE(d.message.find("already exists"), std::string::npos);
}

TEST(TomlErrors, FallsBackWithoutASnippet) {
  Diagnostic d = diagnostic_from_toml_error("[error] something odd", "x.toml", 7);
  EXPECT_EQ(d.str(), "x.toml:7:1: TOML syntax error: something odd");
}
