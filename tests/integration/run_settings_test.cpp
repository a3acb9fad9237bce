// Run settings (env_file, umask, nice, limits) as the child sees them, read back from /proc; and
// `vigil stop --all`.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <sstream>

#include "test_support.hpp"

using namespace vt;

namespace {

// "Max open files            2345                 2345                 files" → {"2345", "2345"}
std::pair<std::string, std::string> proc_limit(pid_t pid, const std::string& label) {
  for (const std::string& line : lines_of(read_file("/proc/" + std::to_string(pid) + "/limits"))) {
    if (line.rfind(label, 0) != 0) continue;
    std::istringstream in(line.substr(label.size()));
    std::string soft, hard;
    in >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

// Field 19 of /proc/PID/stat (after the parenthesised command name).
int proc_nice(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 19 && in >> field; ++i) {
  }
  return std::stoi(field);
}

}  // namespace

TEST(RunSettings, LimitsNiceUmaskAndTheEnvFileAreWhatTheChildSees) {
  TempDir dir;
  write_file(dir / "app.env", "# settings\nexport GREETING=\"hello there\"\nLEVEL=from-file # a comment\nOVERRIDDEN=file\n");
  VigilRun vigil(dir, "[service.worker]\n"
                      "command = [\"sh\", \"-c\", \"umask > " + (dir / "umask") + "; echo \\\"$GREETING|$LEVEL|$OVERRIDDEN\\\" > " +
                      (dir / "env.out") + "; echo $$ > " + (dir / "worker.pid") + "; exec sleep 1000\"]\n"
                      "env_file = \"app.env\"\n"
                      "env = { OVERRIDDEN = \"config\" }\n"
                      "umask = \"0077\"\n"
                      "nice = 19\n"
                      "limits = { nofile = 2345, core = 0, fsize = \"infinity\" }\n");
  pid_t pid = read_pid_file(dir / "worker.pid");
  ASSERT_GT(pid, 0) << vigil.log();
  EXPECT_EQ(proc_limit(pid, "Max open files"), std::make_pair(std::string("2345"), std::string("2345")));
  EXPECT_EQ(proc_limit(pid, "Max core file size"), std::make_pair(std::string("0"), std::string("0")));
  EXPECT_EQ(proc_limit(pid, "Max file size"), std::make_pair(std::string("unlimited"), std::string("unlimited")));
  EXPECT_EQ(proc_nice(pid), 19);
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "env.out").find('\n') != std::string::npos; }));
  EXPECT_EQ(read_file(dir / "env.out"), "hello there|from-file|config\n");
  EXPECT_EQ(read_file(dir / "umask"), "0077\n");
}

TEST(RunSettings, AnEnvFileWithABadLineIsRefusedWithFileAndLine) {
  TempDir dir;
  write_file(dir / "app.env", "GOOD=1\n2BAD=x\nALSO GOOD\n");
  write_file(dir / "vigil.toml", "[service.worker]\ncommand = [\"sleep\", \"1000\"]\nenv_file = \"app.env\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find(dir / "app.env:2:1: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir / "app.env:3:"), std::string::npos) << r.err;
  // `vigil run` refuses it the same way.
  VigilRun vigil(dir, read_file(dir / "vigil.toml"));
  ASSERT_TRUE(vigil.wait_exit().has_value());
  EXPECT_NE(vigil.log().find(dir / "app.env:2:1: "), std::string::npos) << vigil.log();
}

TEST(RunSettings, AnEnvFileOthersCanWriteIsRefusedLikeTheConfig) {
  TempDir dir;
  write_file(dir / "app.env", "TOKEN=secret\n");
  ::chmod((dir / "app.env").c_str(), 0666);
  write_file(dir / "vigil.toml", "[service.worker]\ncommand = [\"sleep\", \"1000\"]\nenv_file = \"app.env\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find(dir / "vigil.toml:3:12: [service.worker] env_file: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("writable"), std::string::npos) << r.err;
}

TEST(RunSettings, LimitsAndNiceAreRangeCheckedWithTheirPosition) {
  TempDir dir;
  write_file(dir / "vigil.toml", "[service.worker]\ncommand = [\"sleep\", \"1000\"]\n"
                                 "limits = { nofile = 99999999999, cores = 0, stack = \"8MB\" }\n"
                                 "nice = 25\numask = \"0999\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", dir / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  std::string cfg = dir / "vigil.toml";
  EXPECT_NE(r.err.find(cfg + ":3:21: [service.worker] limits.nofile: 99999999999 is out of range (0 to "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[service.worker] limits: unknown limit 'cores' (did you mean 'core'?)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cfg + ":4:8: [service.worker] nice: 25 is out of range (-20 to 19)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cfg + ":5:9: [service.worker] umask: expected octal digits"), std::string::npos) << r.err;
}

TEST(StopAll, StopsEveryService) {
  TempDir dir;
  std::string cfg;
  for (const char* name : {"a", "b", "c"})
    cfg += std::string("[service.") + name + "]\ncommand = [\"sh\", \"-c\", \"echo $$ > " + (dir / name) +
           ".pid; exec sleep 1000\"]\n";
  VigilRun vigil(dir, cfg);
  std::vector<pid_t> pids;
  for (const char* name : {"a", "b", "c"}) pids.push_back(read_pid_file(dir / name + ".pid"));
  for (pid_t p : pids) ASSERT_GT(p, 0);
  CommandResult r = vigil_cli(dir, {"stop", "--all"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a: stopped\nb: stopped\nc: stopped\n");
  for (pid_t p : pids) EXPECT_TRUE(wait_for([&] { return process_gone(p); })) << p;
  EXPECT_EQ(vigil_cli(dir, {"stop", "--all", "a"}).exit_code, 2);
  // vigil itself keeps running, and the services come back with start --all.
  CommandResult s = vigil_cli(dir, {"start", "--all"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(count_of(s.out, ": running"), 3) << s.out;
}
