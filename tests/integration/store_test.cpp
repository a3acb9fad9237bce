// Data freshness in a real Redis: every format, the server dying, coming back, and hanging.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "redis_server.hpp"
#include "test_support.hpp"

using namespace vt;

namespace {

std::string unix_now(double minus = 0) {
  double t = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() - minus;
  return std::to_string(t);
}

std::string store_config(const RedisServer& redis, const std::string& timeout = "300ms",
                         const std::string& more_vigil = "") {
  return "[vigil]\nsample_interval = \"100ms\"\n" + more_vigil + "[store]\nurl = \"" + redis.url() +
         "\"\ntimeout = \"" + timeout + "\"\n";
}

bool store_up(const VigilRun& vigil) {
  auto st = vigil.status();
  return st.is_object() && st["store"]["store_up"] == true;
}
bool store_down(const VigilRun& vigil) {
  auto st = vigil.status();
  return st.is_object() && st["store"]["store_up"] == false;
}

// A squatter on the store's port (what any local user can run while Redis is down): it accepts,
// and answers every connection with `reply`, then keeps it open. Stopped by the destructor.
class HostilePeer {
 public:
  explicit HostilePeer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~HostilePeer() {
    stop_ = true;
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return accepted_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted_;
      clients_.push_back(c);
      (void)!::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    }
  }
  std::string reply_;
  int fd_ = -1, port_ = 0;
  std::vector<int> clients_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace

TEST(Store, FreshnessOfAStringHashAndStreamInEachFormat) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"SET", "plain", unix_now(5)});
  redis.cli({"HSET", "scan", "ts_ms", std::to_string(static_cast<long long>(std::stod(unix_now(7)) * 1000)), "lag_s",
             "0.25"});
  redis.cli({"SET", "iso", "2020-01-01T00:00:00Z"});
  redis.cli({"XADD", "events", "*", "k", "v"});
  std::string svc = "command = [\"sleep\", \"1000\"]\n";
  VigilRun vigil(dir, store_config(redis) + "[service.a]\n" + svc + "freshness = { key = \"plain\" }\n" +
                          "[service.b]\n" + svc +
                          "freshness = { key = \"scan\", field = \"ts_ms\", format = \"unix_ms\" }\n"
                          "metrics = { lag = { key = \"scan\", field = \"lag_s\" } }\n" +
                          "[service.c]\n" + svc + "freshness = { key = \"iso\", format = \"iso8601\" }\n" +
                          "[service.d]\n" + svc + "freshness = { key = \"events\", format = \"stream\" }\n");
  ASSERT_TRUE(wait_for([&] {
    return vigil.metric("a", "data_age") && vigil.metric("b", "data_age") && vigil.metric("c", "data_age") &&
           vigil.metric("d", "data_age");
  })) << vigil.status().dump(2) << vigil.log();
  EXPECT_NEAR(*vigil.metric("a", "data_age"), 5, 3);
  EXPECT_NEAR(*vigil.metric("b", "data_age"), 7, 3);
  EXPECT_GT(*vigil.metric("c", "data_age"), 86400.0 * 365);
  EXPECT_LT(*vigil.metric("d", "data_age"), 5);
  EXPECT_EQ(*vigil.metric("b", "lag"), 0.25);
  EXPECT_TRUE(store_up(vigil));
}

TEST(Store, DataAgeGrowsWhenTheBridgeStopsWriting) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"HSET", "latest_scan", "ts", unix_now()});
  VigilRun vigil(dir, store_config(redis) + "[service.bridge]\ncommand = [\"sleep\", \"1000\"]\n"
                                            "freshness = { key = \"latest_scan\", field = \"ts\" }\n");
  ASSERT_TRUE(wait_for([&] { return vigil.metric("bridge", "data_age").has_value(); })) << vigil.log();
  double first = *vigil.metric("bridge", "data_age");
  ASSERT_TRUE(wait_for([&] { return vigil.metric("bridge", "data_age").value_or(0) >= first + 1.0; }));
  // The bridge writes again: fresh.
  redis.cli({"HSET", "latest_scan", "ts", unix_now()});
  EXPECT_TRUE(wait_for([&] { return vigil.metric("bridge", "data_age").value_or(99) < 0.5; }));
}

TEST(Store, ProblemsWithTheKeyAreShownPerServiceNotFatal) {
  TempDir dir;
  RedisServer redis(dir, RedisServer::Kind::Unix);
  redis.cli({"SET", "words", "not a time"});
  redis.cli({"SET", "flat", "123"});
  std::string svc = "command = [\"sleep\", \"1000\"]\n";
  VigilRun vigil(dir, store_config(redis) + "[service.missing]\n" + svc + "freshness = { key = \"nope\" }\n" +
                          "[service.garbled]\n" + svc + "freshness = { key = \"words\" }\n" + "[service.wrongtype]\n" +
                          svc + "freshness = { key = \"flat\", field = \"ts\" }\n");
  auto error_of = [&](const std::string& s) {
    auto j = vigil.service(s);
    return j.is_object() && j["store_error"].is_string() ? j["store_error"].get<std::string>() : std::string();
  };
  ASSERT_TRUE(wait_for([&] { return !error_of("wrongtype").empty(); })) << vigil.status().dump(2);
  EXPECT_EQ(error_of("missing"), "key 'nope' does not exist");
  EXPECT_EQ(error_of("garbled"), "key 'words' holds 'not a time', not a unix timestamp");
  EXPECT_EQ(error_of("wrongtype"), "key 'flat' holds the wrong kind of value for this check (expected a hash)");
  EXPECT_TRUE(store_up(vigil));
  EXPECT_EQ(vigil.service("missing")["state"], "running");
}

TEST(Store, AKilledServerTurnsStoreUpFalseAndARestartedOneRecovers) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"SET", "k", unix_now()});
  VigilRun vigil(dir, store_config(redis) + "[service.s]\ncommand = [\"sleep\", \"1000\"]\nfreshness = { key = \"k\" }\n");
  ASSERT_TRUE(wait_for([&] { return store_up(vigil); })) << vigil.log();
  redis.stop();
  ASSERT_TRUE(wait_for([&] { return store_down(vigil); }, 5s)) << vigil.log();
  EXPECT_FALSE(vigil.metric("s", "data_age"));  // no value, not a stale number
  EXPECT_NE(vigil.log().find("is down"), std::string::npos);
  redis.start();
  redis.cli({"SET", "k", unix_now()});
  ASSERT_TRUE(wait_for([&] { return store_up(vigil) && vigil.metric("s", "data_age"); })) << vigil.log();
  // One line per change of the store's state, not one per failed read.
  EXPECT_EQ(count_of(vigil.log(), "is down"), 1) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "is up"), 2) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "s: started"), 1);  // the service was never touched
}

TEST(Store, AHungServerIsDownWithinTheTimeoutAndSupervisionCarriesOn) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"SET", "k", unix_now()});
  VigilRun vigil(dir, store_config(redis, "300ms") +
                          "[service.s]\ncommand = [\"sleep\", \"1000\"]\nfreshness = { key = \"k\" }\n"
                          "[service.crasher]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\nrestart_delay = \"100ms\"\n"
                          "start_limit_burst = 1000\n");
  ASSERT_TRUE(wait_for([&] { return store_up(vigil); })) << vigil.log();
  redis.freeze();
  auto frozen_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for([&] { return store_down(vigil); }, 5s)) << vigil.log();
  auto noticed = std::chrono::duration<double>(std::chrono::steady_clock::now() - frozen_at).count();
  EXPECT_LT(noticed, 2.0) << "timeout 300ms + sample 100ms, polled";
  // The loop keeps working while the store hangs: the crashing service keeps being restarted.
  int starts = count_of(vigil.log(), "crasher: started");
  EXPECT_TRUE(wait_for([&] { return count_of(vigil.log(), "crasher: started") >= starts + 3; })) << vigil.log();
  redis.thaw();
  EXPECT_TRUE(wait_for([&] { return store_up(vigil); })) << vigil.log();
}

// "*1795374406" made hiredis reserve ~14 GB and free() walk 1.8e9 slots on the event loop (~10 s
// per reconnect). The claim is refused before anything is allocated; the loop carries on.
TEST(Store, AReplyClaimingAHugeArrayIsRefusedAndTheLoopCarriesOn) {
  TempDir dir;
  HostilePeer squatter("*1795374406\r\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[store]\nurl = \"" + squatter.url() +
                          "\"\ntimeout = \"300ms\"\n"
                          "[service.crasher]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\nrestart_delay = \"100ms\"\n"
                          "start_limit_burst = 1000\n");
  ASSERT_TRUE(vigil.wait_log("refused an array of 1795374406 elements (at most 65536)")) << vigil.log();
  // Reconnects keep meeting the same reply; each is refused at once, and supervision goes on.
  ASSERT_TRUE(wait_for([&] { return squatter.connections() >= 3; })) << vigil.log();
  int starts = count_of(vigil.log(), "crasher: started");
  EXPECT_TRUE(wait_for([&] { return count_of(vigil.log(), "crasher: started") >= starts + 3; })) << vigil.log();
}

TEST(Store, AReplyLongerThanTheBoundIsRefused) {
  TempDir dir;
  // A bulk string is buffered until complete; 17 MiB of it arrive and are never parsed.
  HostilePeer squatter("$999999999\r\n" + std::string(17u << 20, 'x'));
  VigilRun vigil(dir, "[store]\nurl = \"" + squatter.url() + "\"\ntimeout = \"5s\"\n"
                      "[service.s]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(vigil.wait_log("refused a reply longer than 16 MiB")) << vigil.log();
}

TEST(Store, TheStoreConnectionIsNotInheritedByChildren) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"SET", "k", unix_now()});
  // Start the lister only once vigil's store connection is up, so there is a socket to leak.
  VigilRun vigil(dir, store_config(redis, "300ms", "log_dir = \"" + (dir / "logs") + "\"\n") +
                          "[service.s]\ncommand = [\"sleep\", \"1000\"]\nfreshness = { key = \"k\" }\n"
                          "[service.lister]\ncommand = [\"" FD_LISTER "\"]\nrestart_delay = \"200ms\"\n"
                          "start_limit_burst = 1000\n");
  ASSERT_TRUE(wait_for([&] { return store_up(vigil); })) << vigil.log();
  int runs = count_of(vigil.log(), "lister: started");
  ASSERT_TRUE(vigil.wait_log("lister: started", runs + 1));
  ASSERT_TRUE(wait_for([&] { return count_of(read_file(dir / "logs/lister.log"), "fds:") >= runs + 1; }));
  for (const auto& line : lines_of(read_file(dir / "logs/lister.log"))) {
    if (line.find(" fds:") != std::string::npos) {
      EXPECT_NE(line.find("out fds: 0 1 2"), std::string::npos) << line;
    }
  }
}

TEST(Store, WithKeyspaceNotificationsAWriteResolvesAStaleAlertLongBeforeTheNextSample) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"CONFIG", "SET", "notify-keyspace-events", "K$h"});
  redis.cli({"HSET", "latest_scan", "ts", unix_now(100)});
  write_file(dir / "rules.toml", "[[rule]]\nname = \"stale\"\nwhen = \"data_age > 5s\"\n");
  // One sample a minute: only the notification can make vigil read the key again in time.
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"60s\"\n[store]\nurl = \"" + redis.url() +
                          "\"\n[service.bridge]\ncommand = [\"sleep\", \"1000\"]\n"
                          "freshness = { key = \"latest_scan\", field = \"ts\" }\n");
  ASSERT_TRUE(vigil.wait_log("ALERT stale firing")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return vigil.status()["store"]["keyspace_events"] == true; })) << vigil.log();
  EXPECT_NE(vigil.log().find("publishes keyspace notifications"), std::string::npos) << vigil.log();

  redis.cli({"HSET", "latest_scan", "ts", unix_now()});
  // Resolved, and data_age fresh, within seconds (the next sample is a minute away).
  EXPECT_TRUE(vigil.wait_log("ALERT stale resolved")) << vigil.log();
  // status.json is written off the loop after the change: wait for it, well before the next sample.
  EXPECT_TRUE(wait_for([&] { return vigil.metric("bridge", "data_age").value_or(99) < 5; }))
      << vigil.status().dump(2);
}

TEST(Store, WithoutKeyspaceNotificationsTheLogSaysHowToTurnThemOn) {
  TempDir dir;
  RedisServer redis(dir);
  redis.cli({"SET", "ts", unix_now()});
  VigilRun vigil(dir, store_config(redis) + "[service.bridge]\ncommand = [\"sleep\", \"1000\"]\n"
                                            "freshness = { key = \"ts\" }\n");
  ASSERT_TRUE(vigil.wait_log("does not publish keyspace notifications")) << vigil.log();
  EXPECT_NE(vigil.log().find("K$ht"), std::string::npos) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return vigil.metric("bridge", "data_age").has_value(); })) << vigil.log();
  EXPECT_EQ(vigil.status()["store"]["keyspace_events"], false);
}

TEST(Store, AStoreNotUpAtStartupIsCalledDownOnlyAfterTenSeconds) {
  // Often the store is a service vigil itself starts a moment later: not worth a warning at once.
  TempDir dir;
  RedisServer redis(dir);
  redis.stop();
  VigilRun vigil(dir, store_config(redis) + "[service.s]\ncommand = [\"sleep\", \"1000\"]\nfreshness = { key = \"k\" }\n");
  ASSERT_TRUE(vigil.wait_log("is not answering yet")) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "is down"), 0) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("is down", 1, 20s)) << vigil.log();
  redis.start();
  ASSERT_TRUE(vigil.wait_log("is up")) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "is down"), 1) << vigil.log();
}
