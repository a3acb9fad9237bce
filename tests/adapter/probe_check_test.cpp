// ProbeCheck at its seam: real HTTP server (a python child), real TCP listener, real exec children.
#include "vigil/probe_check.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

#include "vigil/child_process.hpp"

namespace vigil {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/vigil-probe-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

// Runs one check to completion on a private loop. The loop runs until the callback came (bounded).
std::optional<ProbeResult> check(const ProbeSpec& spec, ProbeEnv env = {}) {
  asio::io_context io;
  std::optional<ProbeResult> result;
  if (env.env.empty()) env.env = child_environment({}, "probe-test");
  env.cwd = "/";
  auto handle = ProbeCheck::start(io, spec, env, [&](ProbeResult r) { result = std::move(r); });
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!result && std::chrono::steady_clock::now() < deadline) io.run_for(50ms);
  return result;
}

class HealthServer {
 public:
  HealthServer() {
    state_ = dir_.path + "/state";
    put(state_, "ok");
    SpawnSpec s;
    s.argv = {"python3", FIXTURES_DIR "/health_server.py", state_, dir_.path + "/port"};
    s.cwd = "/";
    s.env = child_environment({}, "health-server");
    auto r = spawn_child(s);
    EXPECT_TRUE(r.child) << r.error;
    child_ = *r.child;
    auto until = std::chrono::steady_clock::now() + 30s;
    while (!std::filesystem::exists(dir_.path + "/port") && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(10ms);
    port_ = slurp(dir_.path + "/port");
  }
  ~HealthServer() {
    signal_process_group(child_.pid, SIGKILL);
    ::waitpid(child_.pid, nullptr, 0);
    for (int fd : {child_.pidfd, child_.out_fd, child_.err_fd}) ::close(fd);
  }
  void set(const std::string& state) { put(state_, state); }
  std::string url(const std::string& path = "/healthz") const { return "http://127.0.0.1:" + port_ + path; }

 private:
  TempDir dir_;
  std::string state_, port_;
  SpawnedChild child_;
};

ProbeSpec http(const std::string& url) {
  ProbeSpec p;
  p.name = "http";
  p.kind = ProbeKind::Http;
  p.url = url;
  p.timeout = 5s;
  return p;
}

TEST(ProbeCheckHttp, PassesOn2xxAndFailsOnAnErrorStatusWithTheStatusShown) {
  HealthServer server;
  auto ok = check(http(server.url()));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->passed) << ok->detail;
  EXPECT_EQ(ok->http_status, 200);
  EXPECT_EQ(ok->detail, "ok\n");

  server.set("fail");
  auto bad = check(http(server.url()));
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->passed);
  EXPECT_EQ(bad->http_status, 503);
  EXPECT_EQ(bad->detail.rfind("HTTP 503", 0), 0u) << bad->detail;

  ProbeSpec expect503 = http(server.url());
  expect503.status = 503;
  EXPECT_TRUE(check(expect503)->passed);
}

TEST(ProbeCheckHttp, TheBodyPatternMustMatch) {
  HealthServer server;
  ProbeSpec p = http(server.url());
  p.body = "^o[k]";
  EXPECT_TRUE(check(p)->passed);
  p.body = "healthy";
  auto r = check(p);
  EXPECT_FALSE(r->passed);
  EXPECT_NE(r->detail.find("does not match"), std::string::npos) << r->detail;
}

TEST(ProbeCheckHttp, AHangingServerFailsAtTheTimeout) {
  HealthServer server;
  server.set("hang");
  ProbeSpec p = http(server.url());
  p.timeout = 300ms;
  auto r = check(p);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->detail, "timed out after 300ms");
}

TEST(ProbeCheckHttp, NothingListeningFailsWithTheReason) {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  a.close();
  auto r = check(http("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_FALSE(r->passed);
  EXPECT_NE(r->detail.find("cannot connect"), std::string::npos) << r->detail;
}

TEST(ProbeCheckHttp, UrlsAreParsedByTheUrlLibrary) {
  std::string err;
  auto t = parse_http_url("http://[::1]:8080/healthz?deep=1", &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, "8080");
  EXPECT_EQ(t->target, "/healthz?deep=1");
  EXPECT_EQ(parse_http_url("http://localhost", &err)->target, "/");
  EXPECT_FALSE(parse_http_url("https://example.org/", &err));
  EXPECT_NE(err.find("only http://"), std::string::npos);
  EXPECT_FALSE(parse_http_url("not a url", &err));
}

TEST(ProbeCheckTcp, ConnectsOrSaysWhyNot) {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  ProbeSpec p;
  p.kind = ProbeKind::Tcp;
  p.address = "127.0.0.1:" + std::to_string(a.local_endpoint().port());
  auto r = check(p);
  EXPECT_TRUE(r->passed) << r->detail;
  a.close();
  r = check(p);
  EXPECT_FALSE(r->passed);
  EXPECT_NE(r->detail.find("cannot connect"), std::string::npos) << r->detail;
  std::string err;
  EXPECT_FALSE(parse_host_port("localhost", &err));
  EXPECT_FALSE(parse_host_port("localhost:99999", &err));
  EXPECT_EQ(parse_host_port("[::1]:6379", &err)->first, "::1");
}

ProbeSpec exec(std::vector<std::string> argv) {
  ProbeSpec p;
  p.kind = ProbeKind::Exec;
  p.command = std::move(argv);
  p.timeout = 10s;
  return p;
}

TEST(ProbeCheckExec, PassesOnExitZeroAndKeepsTheOutput) {
  auto r = check(exec({"sh", "-c", "echo all good; exit 0"}));
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->detail, "all good\n");
  r = check(exec({"sh", "-c", "echo broken >&2; exit 3"}));
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->detail, "exit code 3: broken\n");
  r = check(exec({"no-such-program-vigil"}));
  EXPECT_FALSE(r->passed);
  EXPECT_NE(r->detail.find("not found"), std::string::npos) << r->detail;
}

TEST(ProbeCheckExec, OutputIsKeptUpTo4KiB) {
  auto r = check(exec({"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"}));
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->detail.size(), kProbeDetailLimit);
}

// The probe and the grandchild it leaves behind are killed as a group at the timeout and reaped.
TEST(ProbeCheckExec, AHangingProbeIsKilledWithItsGroupAndReaped) {
  TempDir dir;
  std::string pids = dir.path + "/pids";
  std::vector<std::pair<pid_t, bool>> owned;
  ProbeEnv env;
  env.own_pid = [&](pid_t pid, bool own) { owned.emplace_back(pid, own); };
  ProbeSpec p = exec({"sh", "-c", "sleep 60 & echo $$ $! > " + pids + "; wait"});
  p.timeout = 300ms;
  auto r = check(p, env);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->detail.rfind("timed out after 300ms (process group killed)", 0), 0u) << r->detail;
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_TRUE(owned[0].second);
  EXPECT_FALSE(owned[1].second);
  pid_t sh = 0, sleeper = 0;
  std::istringstream(slurp(pids)) >> sh >> sleeper;
  ASSERT_GT(sleeper, 0);
  EXPECT_NE(::kill(sh, 0), 0) << "the probe itself was reaped";
  // The grandchild is killed; it is our child only if we are a subreaper, so reap it if it is.
  ::waitpid(sleeper, nullptr, WNOHANG);
  auto until = std::chrono::steady_clock::now() + 15s;
  while (::kill(sleeper, 0) == 0 && std::chrono::steady_clock::now() < until) {
    std::string st = slurp("/proc/" + std::to_string(sleeper) + "/stat");
    if (st.find(") Z") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  std::string st = slurp("/proc/" + std::to_string(sleeper) + "/stat");
  EXPECT_TRUE(st.empty() || st.find(") Z") != std::string::npos) << st;
}

TEST(ProbeCheckExec, ACancelledCheckKillsAndReapsItsProcessAndNeverCallsBack) {
  asio::io_context io;
  bool called = false;
  std::vector<std::pair<pid_t, bool>> owned;
  ProbeEnv env;
  env.cwd = "/";
  env.env = child_environment({}, "probe-test");
  env.own_pid = [&](pid_t pid, bool own) { owned.emplace_back(pid, own); };
  auto handle = ProbeCheck::start(io, exec({"sleep", "60"}), env, [&](ProbeResult) { called = true; });
  io.run_for(50ms);
  ASSERT_EQ(owned.size(), 1u);
  pid_t pid = owned[0].first;
  handle.reset();
  auto until = std::chrono::steady_clock::now() + 15s;
  while (owned.size() < 2 && std::chrono::steady_clock::now() < until) io.run_for(20ms);
  EXPECT_EQ(owned.size(), 2u);
  EXPECT_FALSE(called);
  EXPECT_NE(::kill(pid, 0), 0) << "reaped, not a zombie";
}

// A check that ends at once (a program that cannot be spawned, a URL that does not parse) still
// reports from the loop, after start() returned, as every other check does: the caller marks
// the check in flight with the handle start() returns, and a report from inside start() came
// before that, so the probe stayed "in flight" and was never checked again.
TEST(ProbeCheck, ACheckThatEndsAtOnceReportsFromTheLoopNotFromInsideStart) {
  asio::io_context io;
  ProbeSpec http;
  http.kind = ProbeKind::Http;
  http.url = "ftp://127.0.0.1/";
  ProbeEnv env;
  env.cwd = "/";
  env.env = child_environment({}, "probe-test");
  for (const ProbeSpec& spec : {http, exec({"/no/such/program-vigil"})}) {
    std::optional<ProbeResult> result;
    io.restart();  // the last check's run ran out of work
    auto handle = ProbeCheck::start(io, spec, env, [&](ProbeResult r) { result = std::move(r); });
    EXPECT_FALSE(result) << to_string(spec.kind) << " reported from inside start()";
    auto until = std::chrono::steady_clock::now() + 15s;
    while (!result && std::chrono::steady_clock::now() < until) io.run_for(20ms);
    ASSERT_TRUE(result) << to_string(spec.kind);
    EXPECT_FALSE(result->passed) << result->detail;
  }
}

}  // namespace
}  // namespace vigil
