// vigil under a (fake) service manager: a real datagram socket stands in for systemd's
// NOTIFY_SOCKET. Asserts READY → STATUS → WATCHDOG at half of WatchdogSec → RELOADING/READY on
// reload → STOPPING on SIGTERM.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

#include "test_support.hpp"

using namespace vt;

namespace {

class FakeManager {
 public:
  explicit FakeManager(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      char buf[4096];
      while (!stop_) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        std::lock_guard lock(mu_);
        got_.push_back({std::chrono::steady_clock::now(), std::string(buf, static_cast<std::size_t>(n))});
      }
    });
  }
  ~FakeManager() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  struct Message {
    std::chrono::steady_clock::time_point at;
    std::string text;
  };
  std::vector<Message> messages() {
    std::lock_guard lock(mu_);
    return got_;
  }
  /// Index of the first message at or after `from` that contains `what`, or -1.
  int find(const std::string& what, int from = 0) {
    auto m = messages();
    for (int i = from; i < static_cast<int>(m.size()); ++i)
      if (m[i].text.find(what) != std::string::npos) return i;
    return -1;
  }

 private:
  std::string path_;
  int fd_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Message> got_;
  std::thread thread_;
};

}  // namespace

TEST(Manager, TellsItsManagerReadyStatusWatchdogReloadingAndStopping) {
  TempDir dir;
  FakeManager manager(dir / "systemd-notify.sock");
  write_file(dir / "rules.toml", "[[rule]]\nname = \"slow\"\nservices = [\"db\"]\nwhen = \"uptime > 0s\"\nseverity = \"warning\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n"
                      "[service.db]\ncommand = [\"sleep\", \"1000\"]\n",
                 {"NOTIFY_SOCKET=" + (dir / "systemd-notify.sock"), "WATCHDOG_USEC=400000"});
  ASSERT_TRUE(wait_for([&] { return manager.find("READY=1") >= 0; })) << vigil.log();
  // By READY the control socket answers.
  EXPECT_EQ(run_command({VIGIL_BINARY, "status", "-s", dir / "run/vigil/control.sock"}).exit_code != 3, true);
  ASSERT_TRUE(wait_for([&] { return manager.find("STATUS=2 services: 1 ok, 1 warning (db: slow)") >= 0; }))
      << [&] { std::string s; for (auto& m : manager.messages()) s += m.text + " | "; return s; }();

  // Pings at half of WatchdogSec (200 ms): count them over a stretch of time.
  int first = manager.find("WATCHDOG=1");
  ASSERT_GE(first, 0);
  auto start = manager.messages()[first].at;
  std::this_thread::sleep_for(1500ms);  // the quantity under test is a rate over time
  int pings = 0;
  std::chrono::steady_clock::time_point last{};
  for (auto& m : manager.messages())
    if (m.text == "WATCHDOG=1" && m.at >= start) {
      ++pings;
      last = m.at;
    }
  double secs = std::chrono::duration<double>(last - start).count();
  EXPECT_GE(pings, 5) << "pings in " << secs << "s";
  // No more than one per 200 ms of the time they spanned (a loaded machine sleeps longer than asked).
  EXPECT_LE(pings, secs / 0.2 + 2) << "pings in " << secs << "s";

  // vigil reload: RELOADING=1 with MONOTONIC_USEC, then READY=1 again.
  int before = static_cast<int>(manager.messages().size());
  ASSERT_EQ(run_command({VIGIL_BINARY, "reload", "-s", dir / "run/vigil/control.sock"}).exit_code, 0);
  ASSERT_TRUE(wait_for([&] { return manager.find("READY=1", before) >= 0; }));
  int reloading = manager.find("RELOADING=1", before);
  ASSERT_GE(reloading, 0);
  EXPECT_NE(manager.messages()[reloading].text.find("MONOTONIC_USEC="), std::string::npos);
  EXPECT_LT(reloading, manager.find("READY=1", before));

  before = static_cast<int>(manager.messages().size());
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0);
  EXPECT_GE(manager.find("STOPPING=1", before), 0);
}

TEST(Manager, NothingIsSentWithoutANotifySocketAndChildrenNeverSeeVigilsOwn) {
  TempDir dir;
  FakeManager manager(dir / "systemd-notify.sock");
  VigilRun vigil(dir, "[vigil]\nlog_dir = \"" + (dir / "logs") + "\"\n[service.lister]\ncommand = [\"" FD_LISTER
                      "\"]\nrestart = \"never\"\n",
                 {"NOTIFY_SOCKET=" + (dir / "systemd-notify.sock"), "WATCHDOG_USEC=400000", "WATCHDOG_PID=1"});
  ASSERT_TRUE(vigil.wait_log("lister: running -> stopped")) << vigil.log();
  // WATCHDOG_PID names another process: that watchdog is not vigil's, so no pings.
  ASSERT_TRUE(wait_for([&] { return manager.find("READY=1") >= 0; }));
  EXPECT_EQ(manager.find("WATCHDOG=1"), -1);
  std::string out = read_file(dir / "logs/lister.log");
  EXPECT_EQ(out.find("systemd-notify.sock"), std::string::npos) << out;
}
