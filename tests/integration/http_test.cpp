// vigil's HTTP listener against real clients: the endpoints, the token, junk, a flood of idle
// connections, slow clients, the textfile, and a real Prometheus scraping it (docs/fleet.md).
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "http_peers.hpp"
#include "test_support.hpp"

using namespace vt;

namespace {

std::string http_config(int port, const std::string& extra_vigil = "") {
  return "[vigil]\nsample_interval = \"200ms\"\nhttp = \"127.0.0.1:" + std::to_string(port) + "\"\n" + extra_vigil +
         "[service.web]\ncommand = [\"sleep\", \"1000\"]\n"
         "[service.worker]\ncommand = [\"sleep\", \"1000\"]\n";
}

bool ready(int port) { return http_get(port, "/-/ready").status == 200; }

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// Raises this process's open-file limit to what it may (the flood test holds 1,000 sockets).
void raise_nofile() {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

TEST(Http, HealthReadyMetricsAndTheStatusObject) {
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, http_config(port));
  ASSERT_TRUE(wait_for([&] { return ready(port); })) << vigil.log();
  EXPECT_NE(vigil.log().find("http: listening on 127.0.0.1:" + std::to_string(port)), std::string::npos) << vigil.log();
  HttpResult healthy = http_get(port, "/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  ASSERT_TRUE(wait_for([&] {
    return has_line(http_get(port, "/metrics").body, "vigil_service_up{name=\"web\"} 1");
  })) << http_get(port, "/metrics").body;
  HttpResult m = http_get(port, "/metrics");
  EXPECT_NE(m.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << m.head;
  EXPECT_TRUE(has_line(m.body, "vigil_service_state{name=\"worker\",state=\"running\"} 1")) << m.body;
  EXPECT_NE(m.body.find("\nprocess_open_fds "), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("\nvigil_build_info{version=\""), std::string::npos) << m.body;
  // /api/v1/status is the object `vigil status --json` prints.
  HttpResult st = http_get(port, "/api/v1/status");
  ASSERT_EQ(st.status, 200);
  auto api = nlohmann::json::parse(st.body);
  auto cli = nlohmann::json::parse(vigil_cli(dir, {"status", "--json"}).out);
  for (const auto& key : {"vigil", "store", "services", "alerts", "rules", "reload", "notifiers"}) {
    EXPECT_TRUE(api.contains(key)) << key;
    EXPECT_TRUE(cli.contains(key)) << key;
  }
  ASSERT_EQ(api["services"].size(), 2u);
  EXPECT_EQ(api["services"][0]["name"], "web");
  EXPECT_TRUE(has_line(m.body, "vigil_log_lines_total{name=\"web\",stream=\"stdout\"} 0")) << m.body;
  EXPECT_EQ(api["services"][0]["pid"], cli["services"][0]["pid"]);
  // Read-only, and a clean 404.
  EXPECT_EQ(http_get(port, "/metrics", "", "POST").status, 405);
  EXPECT_EQ(http_get(port, "/metrics", "", "DELETE").status, 405);
  EXPECT_EQ(http_get(port, "/no/such/thing").status, 404);
  HttpResult page = http_get(port, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>vigil</title>"), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), page.body.find("http://www.w3.org/2000/svg")) << "nothing from elsewhere";
  EXPECT_EQ(page.body.find("https://"), std::string::npos) << "nothing from elsewhere";
}

// Lines per stream, counted across runs.
TEST(Http, LogLinesAreCountedPerStream) {
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, "[vigil]\nhttp = \"127.0.0.1:" + std::to_string(port) + "\"\n"
                      "[service.talker]\ncommand = [\"sh\", \"-c\", \"echo a; echo b; echo c >&2; exec sleep 1000\"]\n");
  ASSERT_TRUE(wait_for([&] {
    std::string text = http_get(port, "/metrics").body;
    return has_line(text, "vigil_log_lines_total{name=\"talker\",stream=\"stdout\"} 2") &&
           has_line(text, "vigil_log_lines_total{name=\"talker\",stream=\"stderr\"} 1");
  })) << http_get(port, "/metrics").body;
  ASSERT_EQ(vigil_cli(dir, {"restart", "talker"}).exit_code, 0);
  EXPECT_TRUE(wait_for([&] {
    return has_line(http_get(port, "/metrics").body, "vigil_log_lines_total{name=\"talker\",stream=\"stdout\"} 4");
  })) << http_get(port, "/metrics").body;
}

TEST(Http, OffMeansNoListener) {
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, "[vigil]\nhttp = \"off\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return vigil.service("web")["state"] == "running"; })) << vigil.log();
  EXPECT_EQ(vigil.log().find("http: listening"), std::string::npos) << vigil.log();
  EXPECT_EQ(http_get(port, "/-/healthy").status, 0);
}

// A non-loopback address needs a token; every request without it gets 401.
TEST(Http, ANonLoopbackListenerAsksEveryRequestForItsToken) {
  TempDir dir;
  int port = free_tcp_port();
  // Without a token file the config is refused as a whole.
  write_file(dir / "open.toml", "[vigil]\nhttp = \"0.0.0.0:" + std::to_string(port) + "\"\n[service.a]\ncommand = [\"true\"]\n");
  CommandResult check = run_command({VIGIL_BINARY, "check", "-c", dir / "open.toml"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE((check.out + check.err).find("needs http_token_file"), std::string::npos) << check.out << check.err;

  write_file(dir / "token", "0123456789abcdef-secret\n");
  ::chmod((dir / "token").c_str(), 0600);
  std::string cfg = http_config(port, "http_token_file = \"" + (dir / "token") + "\"\n");
  cfg.replace(cfg.find("127.0.0.1"), 9, "0.0.0.0");
  VigilRun vigil(dir, cfg);
  ASSERT_TRUE(wait_for([&] { return vigil.log().find("http: listening on 0.0.0.0") != std::string::npos; })) << vigil.log();
  for (const char* path : {"/metrics", "/-/healthy", "/-/ready", "/api/v1/status", "/"}) {
    HttpResult r = http_get(port, path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_NE(r.head.find("WWW-Authenticate: Bearer"), std::string::npos) << r.head;
    EXPECT_EQ(http_get(port, path, "Authorization: Bearer wrong-token-wrong-token\r\n").status, 401) << path;
  }
  ASSERT_TRUE(wait_for([&] {
    return http_get(port, "/-/ready", "Authorization: Bearer 0123456789abcdef-secret\r\n").status == 200;
  })) << vigil.log();
}

TEST(Http, JunkGetsA4xxAndTheConnectionCloses) {
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, http_config(port));
  ASSERT_TRUE(wait_for([&] { return ready(port); })) << vigil.log();
  EXPECT_EQ(http_raw(port, "GARBAGE\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(http_raw(port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(300, '\xaa')).substr(0, 12),
            "HTTP/1.1 400")
      << "a TLS hello";
  EXPECT_EQ(http_raw(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n").substr(0, 12),
            "HTTP/1.1 431");
  EXPECT_EQ(http_raw(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n").substr(0, 12),
            "HTTP/1.1 413");
  EXPECT_EQ(http_raw(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
  // Two requests on one connection (keep-alive), then a HEAD without a body.
  std::string two = http_raw(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(count_of(two, "HTTP/1.1 200"), 2) << two;
  EXPECT_EQ(two.find("vigil_service_up"), std::string::npos) << "HEAD has no body";
  EXPECT_EQ(vigil_cli(dir, {"status"}).exit_code, 0);
}

// 1,000 idle connections at once: the listener keeps at most kMaxConnections open, closes the
// longest waiting to admit new ones, and supervision (the control socket) answers throughout.
TEST(Http, AThousandIdleConnectionsLeaveStatusAnswering) {
  raise_nofile();
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, http_config(port));
  ASSERT_TRUE(wait_for([&] { return ready(port); })) << vigil.log();
  std::vector<int> fds;
  for (int i = 0; i < 1000; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0) << "socket " << i;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << i;
    if (i % 10 == 0) ::send(fd, "GET / HTTP/1.1\r\nHo", 18, MSG_NOSIGNAL);  // and some slowloris halves
    fds.push_back(fd);
  }
  CommandResult status = vigil_cli(dir, {"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("web"), std::string::npos) << status.out;
  // A new client still gets through (an idle one makes room for it).
  EXPECT_TRUE(wait_for([&] { return http_get(port, "/-/healthy").status == 200; })) << vigil.log();
  // vigil holds at most its limit (+ what it is closing) of them.
  auto fd_count = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(vigil.pid()) + "/fd")) (void)e, ++n;
    return n;
  };
  EXPECT_LT(fd_count(), 400) << "connections are bounded";
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(vigil_cli(dir, {"status"}).exit_code, 0);
  EXPECT_TRUE(wait_for([&] { return vigil.service("web")["state"] == "running"; }));
}

// A client that sends half a request is cut off at the read timeout (10 s).
TEST(Http, ASlowClientIsTimedOut) {
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, http_config(port));
  ASSERT_TRUE(wait_for([&] { return ready(port); })) << vigil.log();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::send(fd, "GET /metrics HTTP/1.1\r\n", 23, MSG_NOSIGNAL);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  bool closed = wait_for([&] {
    char c;
    ssize_t n = ::recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN);
  }, 30s);
  ::close(fd);
  EXPECT_TRUE(closed) << "the half request is dropped";
}

TEST(Http, TheTextfileIsTheMetricsWrittenAtomically) {
  TempDir dir;
  int port = free_tcp_port();
  std::string prom = dir / "vigil.prom";
  VigilRun vigil(dir, http_config(port, "textfile = \"" + prom + "\"\n"));
  ASSERT_TRUE(wait_for([&] { return has_line(read_file(prom), "vigil_service_up{name=\"web\"} 1"); })) << vigil.log();
  struct stat st{};
  ASSERT_EQ(::stat(prom.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u) << "node_exporter runs as another user";
  std::string text = read_file(prom);
  EXPECT_EQ(text.find("process_"), std::string::npos) << "node_exporter has its own process_*";
  // The textfile passes promtool too.
  CommandResult lint = run_command({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + prom});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  vigil_cli(dir, {"stop", "web"});
  EXPECT_TRUE(wait_for([&] { return has_line(read_file(prom), "vigil_service_up{name=\"web\"} 0"); }));
}

// The real thing: Prometheus scrapes vigil; its query API sees the service up, then down.
TEST(Http, PrometheusScrapesVigilAndSeesAStoppedService) {
  if (!file_exists("/usr/bin/prometheus")) GTEST_SKIP() << "prometheus is not installed (scripts/deps.sh installs it)";
  TempDir dir;
  int port = free_tcp_port();
  VigilRun vigil(dir, http_config(port));
  ASSERT_TRUE(wait_for([&] { return ready(port); })) << vigil.log();
  // promtool's lint on what vigil serves.
  write_file(dir / "scrape.txt", http_get(port, "/metrics").body);
  CommandResult lint = run_command({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + (dir / "scrape.txt")});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << read_file(dir / "scrape.txt");

  Prometheus prom(dir, {"127.0.0.1:" + std::to_string(port)});
  auto value_of = [&](const std::string& q) -> std::optional<double> {
    nlohmann::json r = prom.query(q);
    if (!r.is_array() || r.empty()) return std::nullopt;
    return std::stod(r[0]["value"][1].get<std::string>());
  };
  ASSERT_TRUE(wait_for([&] { return value_of("vigil_service_up{name=\"web\"}") == 1.0; }, 60s)) << prom.log();
  EXPECT_EQ(value_of("up{job=\"vigil\"}"), 1.0);
  EXPECT_EQ(value_of("vigil_service_state{name=\"web\",state=\"running\"}"), 1.0);
  ASSERT_EQ(vigil_cli(dir, {"stop", "web"}).exit_code, 0);
  EXPECT_TRUE(wait_for([&] { return value_of("vigil_service_up{name=\"web\"}") == 0.0; }, 60s)) << prom.log();
  EXPECT_EQ(value_of("vigil_service_state{name=\"web\",state=\"stopped\"}"), 1.0);
  EXPECT_EQ(value_of("vigil_service_up{name=\"worker\"}"), 1.0);
}
