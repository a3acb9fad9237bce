// rules.toml hot reload with real inotify: every way editors save applies; a broken edit never
// replaces the rules in force.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <csignal>
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

// Each of these saves overflowed the stack of the running daemon (parser, node destructor, toml11)
// and took every service down with it. Now each is a reload error with its position.
TEST(Reload, DeeplyNestedRulesAreRefusedWithTheirPositionAndTheDaemonCarriesOn) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  // Saves rule("first") + `text` and returns the reload error; then saves the good file again, so
  // the next error is news.
  auto error_after_save = [&](const std::string& text) {
    write_file(dir / "rules.toml", rule("first") + text);
    std::string err;
    wait_for([&] {
      auto st = vigil.status();
      if (!st.is_object() || !st["rules"]["error"].is_string()) return false;
      err = st["rules"]["error"].get<std::string>();
      return true;
    }, 5s);
    write_file(dir / "rules.toml", rule("first"));
    EXPECT_TRUE(wait_for([&] { return vigil.status()["rules"]["error"].is_null(); }, 5s)) << vigil.log();
    return err;
  };
  std::string parens = std::string(5000, '(') + "running" + std::string(5000, ')');
  EXPECT_EQ(error_after_save(rule("parens", parens)).rfind(
                dir / "rules.toml:7:1009: [[rule]] parens when: the expression is too long: at most 1000 words", 0),
            0u);
  // The chaos run's 300,000 `and` terms make a 3.6 MB file: refused before toml11 spends time on it.
  std::string ands = "running";
  for (int i = 0; i < 300000; ++i) ands += " and running";
  EXPECT_NE(error_after_save(rule("ands", ands)).find(" of 3600121 bytes; at most 1048576 are read"),
            std::string::npos);
  std::string long_and = "running";
  for (int i = 0; i < 2000; ++i) long_and += " and running";
  EXPECT_NE(error_after_save(rule("ands", long_and)).find("[[rule]] ands when: the expression is longer than 16384 characters"),
            std::string::npos);
  EXPECT_EQ(error_after_save("x = " + std::string(5000, '[') + std::string(5000, ']') + "\n"),
            dir / "rules.toml:5:69: nested more than 64 levels deep");
  EXPECT_TRUE(has_alert(vigil, "first"));
  EXPECT_EQ(rule_count(vigil), 1);
  EXPECT_EQ(vigil.status()["services"][0]["state"], "running") << vigil.status().dump(2);
}

// Whoever can write rules.toml runs commands as vigil (an exec notifier applies on save).
TEST(Reload, ARulesFileOthersCanWriteIsRefused) {
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  ::chmod((dir / "rules.toml").c_str(), 0664);
  write_file(dir / "rules.toml", rule("first") + rule("planted"));
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "rules_reload_failed"); }, 5s)) << vigil.log();
  std::string err = vigil.status()["rules"]["error"].get<std::string>();
  EXPECT_EQ(err.rfind(dir / "rules.toml: refusing the rules file: it is writable by its group (mode 0664, owner uid ", 0), 0u)
      << err;
  EXPECT_FALSE(has_alert(vigil, "planted"));
  ::chmod((dir / "rules.toml").c_str(), 0644);
  write_file(dir / "rules.toml", rule("first") + rule("fixed"));
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "fixed"); }, 5s)) << vigil.log();
}

TEST(Reload, ARulesFileOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the rules file to another user (CI runs as root)";
  TempDir dir;
  write_file(dir / "rules.toml", rule("first"));
  VigilRun vigil(dir, kService);
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "first"); })) << vigil.log();
  ASSERT_EQ(::chown((dir / "rules.toml").c_str(), 65534, 65534), 0);
  write_file(dir / "rules.toml", rule("first") + rule("planted"));
  ASSERT_TRUE(wait_for([&] { return has_alert(vigil, "rules_reload_failed"); }, 5s)) << vigil.log();
  std::string err = vigil.status()["rules"]["error"].get<std::string>();
  EXPECT_NE(err.find("refusing the rules file: it is owned by another user (mode 0644, owner uid 65534"), std::string::npos)
      << err;
  EXPECT_FALSE(has_alert(vigil, "planted"));
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
  ASSERT_TRUE(vigil.wait_log("received SIGHUP: re-reading the config and the rules")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("rules " + (dir / "rules.toml") + " in force: 1 rules", 2)) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "ALERT first firing"), 1);
}

TEST(Reload, AConfigReloadRestartsOnlyWhatChanged) {
  TempDir dir;
  auto svc = [&](const std::string& name, const std::string& arg) {
    return "[service." + name + "]\ncommand = [\"sh\", \"-c\", \"echo $$ >> " + (dir / name) + ".pids; exec sleep " + arg + "\"]\n";
  };
  VigilRun vigil(dir, svc("keep", "1000") + svc("change", "1000") + svc("drop", "1000"));
  pid_t keep = read_pid_file(dir / "keep.pids"), change = read_pid_file(dir / "change.pids"),
        drop = read_pid_file(dir / "drop.pids");
  ASSERT_TRUE(keep > 0 && change > 0 && drop > 0);
  write_file(vigil.config_path(), svc("keep", "1000") + svc("change", "2000") + svc("add", "1000"));
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("reloaded: +add ~change (command: restarting it) -drop")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return lines_of(read_file(dir / "change.pids")).size() == 2; })) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return file_exists(dir / "add.pids"); })) << vigil.log();
  EXPECT_TRUE(wait_for([&] { return process_gone(drop) && process_gone(change); }));
  EXPECT_FALSE(process_gone(keep));
  EXPECT_EQ(lines_of(read_file(dir / "keep.pids")).size(), 1u);  // untouched
  ASSERT_TRUE(wait_for([&] {
    auto st = vigil.status();
    return st.is_object() && st["services"].size() == 3;
  })) << vigil.status().dump(2);
}

TEST(Reload, ABrokenConfigReloadChangesNothing) {
  TempDir dir;
  VigilRun vigil(dir, "[service.a]\ncommand = [\"sh\", \"-c\", \"echo $$ > " + (dir / "a.pid") + "; exec sleep 1000\"]\n");
  pid_t a = read_pid_file(dir / "a.pid");
  write_file(vigil.config_path(), "[service.a]\ncommand = \"sleep 5\"\n");
  vigil.signal(SIGHUP);
  ASSERT_TRUE(vigil.wait_log("rejected on reload; the config in force stays")) << vigil.log();
  EXPECT_NE(vigil.log().find(vigil.config_path() + ":2:11: [service.a] command: must be an array"), std::string::npos);
  ASSERT_TRUE(wait_for([&] {
    auto st = vigil.status();
    if (!st.is_object()) return false;
    for (auto& al : st["alerts"])
      if (al["rule"] == "config_reload_failed") return true;
    return false;
  })) << vigil.status().dump(2);
  EXPECT_FALSE(process_gone(a));
}
