// `vigil check`, and `vigil run` refusing a bad config: what an operator sees on the terminal.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "test_support.hpp"

using namespace vt;

TEST(Check, AValidConfigPrintsASummaryAndExitsZero) {
  TempDir dir;
  write_file(dir / "vigil.toml", "[service.web]\ncommand = [\"sleep\", \"1\"]\n[service.db]\ncommand = [\"true\"]\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vigil.toml: OK, 2 services (web, db)"), std::string::npos) << r.out;
}

TEST(Check, AnInvalidConfigListsEveryErrorWithItsPosition) {
  TempDir dir;
  std::string cfg = dir / "vigil.toml";
  write_file(cfg,
             "[service.web]\n"
             "command = \"python3 app.py\"\n"
             "restart_dely = \"1s\"\n"
             "after = [\"dbb\"]\n"
             "[service.db]\n"
             "command = [\"true\"]\n"
             "stop_timeout = \"ten seconds\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":2:11: [service.web] command: must be an array of arguments, no shell is used: "
                             "command = [\"python3\", \"app.py\"]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg + ":3:1: [service.web]: unknown key 'restart_dely' (did you mean 'restart_delay'?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg + ":4:9: [service.web] after: unknown service 'dbb' (did you mean 'db'?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg + ":7:16: [service.db] stop_timeout: invalid duration 'ten seconds'"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("4 errors"), std::string::npos) << r.err;
}

TEST(Check, TheRulesBesideTheConfigAreCheckedToo) {
  TempDir dir;
  write_file(dir / "vigil.toml", "[service.web]\ncommand = [\"sleep\", \"1\"]\n");
  write_file(dir / "rules.toml", "[[rule]]\nname = \"slow\"\nwhen = \"cpu > 80% and memroy > 1GB\"\n");
  CommandResult bad = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(dir / "rules.toml:3:23: [[rule]] slow when: unknown metric 'memroy' (did you mean 'memory'?)"),
            std::string::npos)
      << bad.err;
  write_file(dir / "rules.toml", "[[rule]]\nname = \"slow\"\nwhen = \"cpu > 80% and memory > 1GB\"\n");
  CommandResult good = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("1 rules in " + (dir / "rules.toml")), std::string::npos) << good.out;
}

TEST(Check, AMissingFileSaysSo) {
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", "/nonexistent/vigil.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/vigil.toml: cannot read config: No such file or directory"), std::string::npos)
      << r.err;
}

TEST(Check, UsageErrorsExitTwo) {
  EXPECT_EQ(run_command({VIGIL_BINARY, "check", "--bogus"}).exit_code, 2);
  EXPECT_EQ(run_command({VIGIL_BINARY, "frobnicate"}).exit_code, 2);
  CommandResult help = run_command({VIGIL_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("check"), std::string::npos);
  CommandResult version = run_command({VIGIL_BINARY, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("vigil ", 0), 0u);
}

TEST(Run, RefusesABadConfigAndStartsNothing) {
  TempDir dir;
  write_file(dir / "vigil.toml", "[service.a]\ncommand = [\"touch\", \"" + (dir / "started") + "\"]\nrestart = \"sometimes\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "run", "-c", dir / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("vigil.toml:3:11: [service.a] restart: unknown value \"sometimes\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not starting"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(dir / "started"));
}

TEST(Check, AConfigOthersCanWriteIsRefusedNamingModeAndOwner) {
  TempDir dir;
  std::string cfg = dir / "vigil.toml";
  write_file(cfg, "[service.web]\ncommand = [\"sleep\", \"1\"]\n");
  ::chmod(cfg.c_str(), 0666);
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ": refusing the config file: it is writable by everyone (mode 0666, owner uid "),
            std::string::npos)
      << r.err;
}

TEST(Check, DeepNestingAndInvalidUtf8AreErrorsNotCrashes) {
  TempDir dir;
  std::string cfg = dir / "vigil.toml";
  write_file(cfg, "[service.web]\ncommand = " + std::string(5000, '[') + std::string(5000, ']') + "\n");
  CommandResult deep = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(deep.exit_code, 1) << deep.err;
  EXPECT_NE(deep.err.find(cfg + ":2:75: nested more than 64 levels deep"), std::string::npos) << deep.err;
  write_file(cfg, "[service.web]\ncommand = ['\xff']\n");
  CommandResult utf = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(utf.exit_code, 1) << utf.err;
  EXPECT_NE(utf.err.find(cfg + ":2:13: invalid UTF-8 (byte 0xff)"), std::string::npos) << utf.err;
}
