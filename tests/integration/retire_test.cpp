// Reloads that add and remove a service and replace a notifier, a hundred times: what the removed
// ones held (Service objects, log files, notifier threads) is freed, so vigil stays flat.
#include <gtest/gtest.h>

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "test_support.hpp"

using namespace vt;

namespace {

// A line of /proc/PID/status ("VmRSS:", "Threads:") as a number (kB for sizes).
long proc_status(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}

int open_fds(pid_t pid) {
  int n = 0;
  if (DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

std::string config(int round, bool with_extra) {
  // Each writes a line, so each has its log file open.
  const std::string cmd = "command = [\"sh\", \"-c\", \"echo up; exec sleep 1000\"]\n";
  std::string text = "[vigil]\nsample_interval = \"100ms\"\nhttp = \"off\"  # its socket follows the default port among parallel tests\n[service.keeper]\n" + cmd;
  // A new name each time the extra service comes back: every retirement is of a distinct service.
  if (with_extra) text += "[service.extra" + std::to_string(round) + "]\n" + cmd;
  return text;
}

std::string rules(const TempDir& dir, int round) {
  // The notifier's command changes every round: its channel (a thread) is replaced each time.
  return "[notify.rec]\ntype = \"exec\"\ncommand = [\"" + dir.path() + "/nothing-" + std::to_string(round) +
         "\"]\n[[rule]]\nname = \"never\"\nwhen = \"uptime < 0s\"\nnotify = [\"rec\"]\n";
}

bool reload(const TempDir& dir) {
  return run_command({VIGIL_BINARY, "reload", "-s", dir / "run/vigil/control.sock"}).exit_code == 0;
}

bool settled(const VigilRun& vigil, int services) {
  auto st = vigil.status();
  if (!st.is_object() || static_cast<int>(st["services"].size()) != services) return false;
  for (const auto& s : st["services"])
    if (s["state"] != "running") return false;
  return true;
}

}  // namespace

TEST(Reload, AHundredReloadsLeaveNothingBehind) {
  TempDir dir;
  write_file(dir / "rules.toml", rules(dir, 0));
  // Under ASan (scripts/sanitize.sh) freed memory waits in a quarantine of up to 256 MB before it
  // is reused, which would be all this measures: without it, ASan's allocator reuses as malloc does.
  // Its allocator also adds redzones and caches per thread (the notifier threads come and go): what
  // a hundred kept services would hold is larger there too, so the bound is twice the plain one.
  // Under TSan (scripts/sanitize.sh thread sets VIGIL_SANITIZER) the runtime keeps the history of
  // finished threads for its reports, and a notifier thread comes and goes each cycle: 4.7 MB in one
  // run. There the bound is 8 MiB, which only a gross leak passes; the plain and ASan runs hold the
  // tight one.
  std::vector<std::string> env;
  long limit_kb = 1024;
  const char* sanitizer = std::getenv("VIGIL_SANITIZER");
  if (sanitizer && std::string(sanitizer) == "thread") {
    limit_kb = 8192;
  } else if (const char* asan = std::getenv("ASAN_OPTIONS")) {
    env.push_back(std::string("ASAN_OPTIONS=") + asan + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0");
    limit_kb = 2048;
  }
  VigilRun vigil(dir, config(0, false), env);
  ASSERT_TRUE(wait_for([&] { return settled(vigil, 1); })) << vigil.log();

  auto cycle = [&](int round) {
    write_file(dir / "rules.toml", rules(dir, round));
    write_file(vigil.config_path(), config(round, true));
    ASSERT_TRUE(reload(dir)) << vigil.log();
    ASSERT_TRUE(wait_for([&] { return settled(vigil, 2); })) << vigil.log();
    write_file(vigil.config_path(), config(round, false));
    ASSERT_TRUE(reload(dir)) << vigil.log();
    ASSERT_TRUE(wait_for([&] { return settled(vigil, 1); })) << vigil.log();
  };
  // Warm up (allocator pools, the first notifier thread), then measure across a hundred more.
  for (int round = 1; round <= 10; ++round) cycle(round);
  long rss_before = proc_status(vigil.pid(), "VmRSS:");
  long threads_before = proc_status(vigil.pid(), "Threads:");
  int fds_before = open_fds(vigil.pid());
  for (int round = 11; round <= 110; ++round) {
    cycle(round);
    if (HasFatalFailure()) return;
  }
  // The last retirements may still be settling (a thread finishing, a posted free): wait for them.
  EXPECT_TRUE(wait_for([&] { return open_fds(vigil.pid()) <= fds_before; }))
      << "fds " << fds_before << " -> " << open_fds(vigil.pid());
  EXPECT_TRUE(wait_for([&] { return proc_status(vigil.pid(), "Threads:") <= threads_before + 1; }))
      << "threads " << threads_before << " -> " << proc_status(vigil.pid(), "Threads:");
  long rss_after = proc_status(vigil.pid(), "VmRSS:");
  // Flat: 100 kept Services, log streams and channel threads would be well over a megabyte.
  EXPECT_LT(rss_after - rss_before, limit_kb) << "VmRSS " << rss_before << " kB -> " << rss_after << " kB";
}
