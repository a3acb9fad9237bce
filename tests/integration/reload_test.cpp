// rules.toml hot reload with real inotify: every way editors save applies; a broken edit never
// replaces the rules in force.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "test_support.hpp"

using namespace vt;

namespace {

const char* kService = "[vigil]\nsample_interval = \"100ms\"\n[service.svc]\ncommand = [\"sleep\", \"1000\"]\n";

std::string rule(const std::string& name, const std::string& when = "uptime > 0s") {
  return "[[rule]]\nname = \"" + name + "\"\nwhen = \"" + when + "\"\nseverity = \"info\"\n";
}

bool has_alert(const VigilRun& v, const std::string& rule) {
  auto st = v.status();
  if (!st.is_object()) return false;
  for (auto& a : st["alerts"])
    if (a["rule"] == rule) return true;
  return false;
}

int rule_count(const VigilRun& v) {
  auto st = v.status();
  return st.is_object() && st["rules"]["count"].is_number() ? st["rules"]["count"].get<int>() : -1;
}

}  // namespace

TEST(Reload, AnInPlaceWriteApplies) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  write_file(dir / "rules.toml", rule("first") + rule("second"));  // truncate + write, like `echo >`
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "second"); }, 5s)) << vigil.log();
  EXPECT_NE(vigil.log().find("(changed: +second)"), std::string::npos) << vigil.log();
  // The unchanged rule kept its state: it fired once.
  EXPECT_EQ(count_of(vigil.log(), "ALERT first firing"), 1) << vigil.log();
}

TEST(Reload, WriteThenRenameApplies) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  write_file(dir / "rules.toml.tmp", rule("renamed"));
  std::filesystem::rename(dir / "rules.toml.tmp", dir / "rules.toml");
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "renamed") && !has_alert(vigil, "first"); }, 5s)) << vigil.log();
  EXPECT_NE(vigil.log().find("ALERT first resolved"), std::string::npos) << vigil.log();  // removed rules resolve
}

TEST(Reload, AVimStyleSaveApplies) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  // vim's default (writebackup): write a swap file, rename the original away, write the new file,
  // then remove the backup. The file does not exist for a moment.
  write_file(dir / ".rules.toml.swp", "swap");
  std::filesystem::rename(dir / "rules.toml", dir / "rules.toml~");
  write_file(dir / "rules.toml", rule("first") + rule("vimmed"));
  std::filesystem::remove(dir / "rules.toml~");
  std::filesystem::remove(dir / ".rules.toml.swp");
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "vimmed"); }, 5s)) << vigil.log();
  EXPECT_EQ(rule_count(vigil), 2);
}

TEST(Reload, ASyntaxErrorKeepsTheOldRulesAndRaisesAnAlert) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  write_file(dir / "rules.toml", rule("first") + "[[rule]\nname = \"broken\"\n");
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "rules_reload_failed"); }, 5s)) << vigil.log();
  auto st = vigil.status();
  std::string err = st["rules"]["error"].get<std::string>();
  EXPECT_EQ(err.rfind(dir / "rules.toml:5:", 0), 0u) << err;
  EXPECT_TRUE(has_alert(vigil, "first"));
  EXPECT_EQ(rule_count(vigil), 1);
  // A good save clears it.
  write_file(dir / "rules.toml", rule("first") + rule("fixed"));
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "fixed") && !has_alert(vigil, "rules_reload_failed"); }, 5s))
      << vigil.log();
  EXPECT_TRUE(vigil.status()["rules"]["error"].is_null());
}

TEST(Reload, AnUnknownMetricKeepsTheOldRulesAndSaysWhere) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  write_file(dir / "rules.toml", rule("first") + rule("typo", "data_agee > 60s"));
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "rules_reload_failed"); }, 5s)) << vigil.log();
  std::string expected = dir / "rules.toml:7:9: [[rule]] typo when: unknown metric 'data_agee' (did you mean 'data_age'?)";
  EXPECT_EQ(vigil.status()["rules"]["error"], expected);
  EXPECT_NE(vigil.log().find(expected), std::string::npos) << vigil.log();
  EXPECT_NE(vigil.log().find("the 1 rules in force stay"), std::string::npos) << vigil.log();
}

TEST(Reload, ADeletedRulesFileKeepsTheLastRules) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  std::filesystem::remove(dir / "rules.toml");
  ASSERT_TRUE(vigil.wait_log("is gone; keeping the 1 rules in force", 1, 5s)) << vigil.log();
  EXPECT_TRUE(has_alert(vigil, "first"));
}

TEST(Reload, SighupRereadsTheRules) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("received SIGHUP: re-reading the rules")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("rules " + (dir / "rules.toml") + " in force: 1 rules", 2)) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "ALERT first firing"), 1);
}
