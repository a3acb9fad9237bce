// The byte checks made before toml11 parses: invalid UTF-8, deep nesting, size. Each input here
// crashed vigil (stack overflow) or made toml11 read out of bounds before the guard existed.
#include "vigil/toml_guard.hpp"

#include <gtest/gtest.h>

#include "vigil/config.hpp"
#include "vigil/rules_config.hpp"

using namespace vigil;

namespace {
std::string nested(int levels, char open, char close, const std::string& inner) {
  return std::string(static_cast<std::size_t>(levels), open) + inner + std::string(static_cast<std::size_t>(levels), close);
}
std::string all(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += d.str() + "\n";
  return s;
}
}  // namespace

TEST(TomlGuard, InvalidUtf8InALiteralStringIsAnErrorWithItsPosition) {
  // The 3 bytes of upstream toml11 #199 (out-of-bounds read), after a valid line.
  auto d = check_toml_input("a = 1\nb = '\xff'\n", "rules.toml");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->str(), "rules.toml:2:6: invalid UTF-8 (byte 0xff); the file must be UTF-8 text");
  EXPECT_TRUE(check_toml_input("'\xff'", "x.toml"));
  EXPECT_TRUE(check_toml_input("a = \"\xc0\xaf\"", "x.toml"));          // overlong '/'
  EXPECT_TRUE(check_toml_input("a = \"\xed\xa0\x80\"", "x.toml"));      // a surrogate
  EXPECT_TRUE(check_toml_input("a = \"\xf4\x90\x80\x80\"", "x.toml"));  // above U+10FFFF
  EXPECT_TRUE(check_toml_input("a = \"\xe2\x82\"", "x.toml"));          // cut short
  // Columns count characters: "é" is one.
  auto e = check_toml_input("s = 'é\xff'", "x.toml");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->column, 7u);
}

TEST(TomlGuard, ValidUtf8AndOrdinaryFilesPass) {
  EXPECT_FALSE(check_toml_input("name = 'héllo ✓ 𝄞'\n# ünïcode comment\n", "x.toml"));
  EXPECT_FALSE(check_toml_input("a = [[1, 2], [3, [4]]]\nb = { c = { d = 1 } }\n[x.y.z]\nv = 1.5\n"
                                "t = 1979-05-27T07:32:00.999999-07:00\n", "x.toml"));
  // Brackets and dots inside strings and comments do not count.
  std::string noise(500, '[');
  EXPECT_FALSE(check_toml_input("a = \"" + noise + "\"\nb = '" + std::string(500, '.') + "'\n# " + noise +
                                "\nc = \"\"\"\n" + noise + "\"\"\"\nd = '''" + noise + "'''\n", "x.toml"));
  EXPECT_FALSE(check_toml_input("a = \"x\\\"[[[[\"\n", "x.toml"));
  // A long array of floats is wide, not deep.
  std::string floats = "a = [";
  for (int i = 0; i < 200; ++i) floats += "1.5, ";
  EXPECT_FALSE(check_toml_input(floats + "2.5]\n", "x.toml"));
}

TEST(TomlGuard, DeepNestingIsRefusedAtTheLevelPastTheLimit) {
  auto arrays = check_toml_input("a = " + nested(5000, '[', ']', "1") + "\n", "rules.toml");
  ASSERT_TRUE(arrays);
  EXPECT_EQ(arrays->str(), "rules.toml:1:69: nested more than 64 levels deep");
  auto tables = check_toml_input("a = " + nested(5000, '{', '}', "") + "\n", "rules.toml");
  ASSERT_TRUE(tables);
  EXPECT_NE(tables->message.find("nested more than 64 levels"), std::string::npos);
  std::string dotted = "[a";
  for (int i = 0; i < 5000; ++i) dotted += ".a";
  auto keys = check_toml_input("x = 1\n" + dotted + "]\n", "rules.toml");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->line, 2u);
  EXPECT_NE(keys->message.find("dotted key of more than 64 parts"), std::string::npos);
  EXPECT_FALSE(check_toml_input("a = " + nested(64, '[', ']', "1"), "x.toml"));
}

TEST(TomlGuard, AFileOverTheSizeLimitIsRefused) {
  std::string big(kMaxTomlBytes + 1, '\n');
  auto d = check_toml_input(big, "rules.toml");
  ASSERT_TRUE(d);
  EXPECT_NE(d->message.find("at most 1048576"), std::string::npos);
}

// The readers use the guard: these inputs crashed `vigil check` and the running daemon.
TEST(TomlGuard, ConfigAndRulesReadersReportInsteadOfCrashing) {
  RulesResult r = parse_rules("[[rule]]\nname = \"x\"\nwhen = \"running\"\nlabels = " + nested(5000, '[', ']', "") + "\n",
                              "rules.toml", {}, {});
  EXPECT_FALSE(r.rules);
  EXPECT_NE(all(r.errors).find("rules.toml:4:74: nested more than 64 levels deep"), std::string::npos) << all(r.errors);
  RulesResult u = parse_rules("[notify.x]\ntype = 'journal'\nbad = '\xff'\n", "rules.toml", {}, {});
  EXPECT_NE(all(u.errors).find("rules.toml:3:8: invalid UTF-8"), std::string::npos) << all(u.errors);
  ConfigResult c = parse_config("[service.a]\ncommand = " + nested(5000, '[', ']', "") + "\n", "vigil.toml",
                                [](const std::string&) { return std::nullopt; });
  EXPECT_FALSE(c.config);
  EXPECT_NE(all(c.errors).find("vigil.toml:2:"), std::string::npos) << all(c.errors);
}
