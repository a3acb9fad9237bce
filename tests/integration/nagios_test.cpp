// `vigil status --format=nagios` read as a monitoring system reads a plugin: the real binary
// against a real vigil, for ok, warning, critical, vigil down, and a user who may not open the
// socket.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "plugin_output.hpp"
#include "test_support.hpp"

using namespace vt;

namespace {

CommandResult nagios(const TempDir& dir) {
  return run_command({VIGIL_BINARY, "status", "--format=nagios", "-s", control_socket(dir)});
}

// The same command as another user (nobody), as a monitoring agent running under its own account.
CommandResult nagios_as_nobody(const TempDir& dir) {
  int out[2];
  if (::pipe(out) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(125);
    std::string s = control_socket(dir);
    ::execl(VIGIL_BINARY, VIGIL_BINARY, "status", "--format=nagios", "-s", s.c_str(), static_cast<char*>(nullptr));
    ::_exit(126);
  }
  ::close(out[1]);
  CommandResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
    if (n > 0) r.out.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int ws = 0;
  ::waitpid(pid, &ws, 0);
  r.exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  return r;
}

}  // namespace

TEST(Nagios, OkThenWarningWithThresholdsInThePerfdata) {
  TempDir dir;
  write_file(dir / "rules.toml", "[[rule]]\nname = \"busy\"\nwhen = \"cpu > 80%\"\nseverity = \"critical\"\n"
                                 "[[rule]]\nname = \"old\"\nwhen = \"uptime > 1h\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return nagios(dir).out.find("'web_cpu'") != std::string::npos; })) << vigil.log();
  CommandResult r = nagios(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  PluginOutput p = parse_plugin_output(r.out);
  EXPECT_EQ(p.word, "OK");
  EXPECT_EQ(p.text, "1 of 1 services ok");
  EXPECT_EQ(p.perf.at("services_ok"), (std::vector<std::string>{"1", "", "", "0", "1"}));
  EXPECT_EQ(p.perf.at("web_cpu")[2], "80");  // the critical rule's threshold
  EXPECT_EQ(p.perf.at("web_restarts")[0], "0c");

  write_file(dir / "rules.toml", "[[rule]]\nname = \"young\"\nwhen = \"uptime > 0s\"\nseverity = \"warning\"\n"
                                 "summary = \"{service} is up\"\n");
  ASSERT_TRUE(wait_for([&] { return nagios(dir).exit_code == 1; })) << vigil.log();
  p = parse_plugin_output(nagios(dir).out);
  EXPECT_EQ(p.word, "WARNING");
  EXPECT_EQ(p.text, "1 of 1 services warning: web running");
  EXPECT_EQ(p.lines, std::vector<std::string>{"WARNING web: web is up"});
}

TEST(Nagios, AFailedServiceIsCritical) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n"
                      "[service.scan-bridge]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\nrestart_delay = \"50ms\"\n"
                      "start_limit_burst = 2\n");
  ASSERT_TRUE(wait_for([&] { return nagios(dir).exit_code == 2; })) << vigil.log();
  PluginOutput p = parse_plugin_output(nagios(dir).out);
  EXPECT_EQ(p.word, "CRITICAL");
  EXPECT_EQ(p.text, "1 of 2 services critical: scan-bridge failed (start limit)");
  EXPECT_EQ(p.perf.at("services_ok")[0], "1");
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(p.lines[0].rfind("CRITICAL scan-bridge: scan-bridge failed (start limit: 2 starts within 1m", 0), 0u) << p.lines[0];
  // The human table says the same (critical from the failed state at once, then with the
  // service_failed alert's summary).
  CommandResult table = run_command({VIGIL_BINARY, "status", "-s", control_socket(dir)});
  EXPECT_EQ(table.exit_code, 2);
  EXPECT_TRUE(wait_for([&] {
    table = run_command({VIGIL_BINARY, "status", "-s", control_socket(dir)});
    return table.out.find("critical  scan-bridge failed (start limit") != std::string::npos;
  })) << table.out;
}

TEST(Nagios, VigilDownIsUnknown) {
  TempDir dir;
  CommandResult r = nagios(dir);
  EXPECT_EQ(r.exit_code, 3);
  PluginOutput p = parse_plugin_output(r.out);
  EXPECT_EQ(p.word, "UNKNOWN");
  EXPECT_EQ(p.text.rfind("vigil is not running (no answer on " + control_socket(dir), 0), 0u) << p.text;
}

TEST(Nagios, ASocketTheCallerMayNotOpenSaysPermissionDeniedNotDown) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return nagios(dir).exit_code == 0; })) << vigil.log();
  CommandResult r;
  std::string expected;
  if (::getuid() == 0) {
    // Root: ask as nobody, as a monitoring agent under its own account would.
    r = nagios_as_nobody(dir);
    expected = "permission denied on " + control_socket(dir) + ": vigil runs as uid 0 (you are uid 65534)";
  } else {
    // Not root: take the search right off vigil's runtime folder for a moment (owner included).
    std::string folder = dir / "run/vigil";
    ASSERT_EQ(::chmod(folder.c_str(), 0), 0);
    r = nagios(dir);
    ::chmod(folder.c_str(), 0700);
    expected = "permission denied on " + control_socket(dir) + ": vigil runs as uid " + std::to_string(::getuid()) +
               " (you are uid " + std::to_string(::getuid()) + ")";
  }
  EXPECT_EQ(r.exit_code, 3) << r.out;
  PluginOutput p = parse_plugin_output(r.out);
  EXPECT_EQ(p.word, "UNKNOWN");
  EXPECT_EQ(p.text, expected);
}
