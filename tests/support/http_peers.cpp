#include "http_peers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <stdexcept>

namespace vt {

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log) {
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execvp(a[0], a.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int ws;
  ::waitpid(pid_, &ws, 0);
}

WebhookReceiver::WebhookReceiver(const TempDir& dir) : dir_(dir.path()) {
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"python3", FIXTURES_DIR "/webhook_receiver.py", dir_}, dir_ + "/receiver.log");
  if (!wait_for([&] { return file_exists(dir_ + "/port"); })) throw std::runtime_error("webhook receiver did not start");
  port_ = std::stoi(read_file(dir_ + "/port"));
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<nlohmann::json> WebhookReceiver::requests() const {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines_of(read_file(dir_ + "/requests.jsonl")))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

Alertmanager::Alertmanager(const TempDir& dir, const std::string& name) : port_(free_tcp_port()) {
  std::string cfg = dir / (name + ".yml");
  write_file(cfg, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  std::string storage = dir / (name + "-data");
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus-alertmanager", "--config.file=" + cfg, "--storage.path=" + storage,
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address="},
      dir / (name + ".log"));
  if (!wait_for([&] { return alerts().is_array(); }, 30s))
    throw std::runtime_error("alertmanager did not come up: " + read_file(dir / (name + ".log")));
}

std::string Alertmanager::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v2/alerts"; }

nlohmann::json Alertmanager::alerts() const {
  HttpResult r = http_get(port_, "/api/v2/alerts");
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

namespace {

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string http_raw(int port, const std::string& bytes) {
  int fd = connect_loopback(port);
  if (fd < 0) return "";
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

HttpResult http_get(int port, const std::string& target, const std::string& headers, const std::string& method) {
  std::string raw = http_raw(port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                       headers + "\r\n");
  HttpResult r;
  std::size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  r.head = raw.substr(0, end);
  r.body = raw.substr(end + 4);
  // Chunked answers (Prometheus, Alertmanager): join the chunks.
  if (r.head.find("Transfer-Encoding: chunked") != std::string::npos) {
    std::string joined;
    std::size_t at = 0;
    while (at < r.body.size()) {
      std::size_t eol = r.body.find("\r\n", at);
      if (eol == std::string::npos) break;
      std::size_t len = std::stoul(r.body.substr(at, eol - at), nullptr, 16);
      if (len == 0) break;
      joined += r.body.substr(eol + 2, len);
      at = eol + 2 + len + 2;
    }
    r.body = joined;
  }
  return r;
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Prometheus::Prometheus(const TempDir& dir, const std::vector<std::string>& targets, const std::string& bearer_token)
    : dir_(dir.path()), port_(free_tcp_port()) {
  std::string list;
  for (const auto& t : targets) list += (list.empty() ? "'" : ", '") + t + "'";
  std::string cfg = "global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\n"
                    "scrape_configs:\n  - job_name: vigil\n    static_configs:\n      - targets: [" + list + "]\n";
  if (!bearer_token.empty()) {
    write_file(dir / "prom-token", bearer_token);
    cfg += "    authorization:\n      credentials_file: " + (dir / "prom-token") + "\n";
  }
  write_file(dir / "prometheus.yml", cfg);
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + (dir / "prometheus.yml"),
                               "--storage.tsdb.path=" + (dir / "prom-data"),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
      dir / "prometheus.log");
  if (!wait_for([&] { return http_get(port_, "/-/ready").status == 200; }, 60s))
    throw std::runtime_error("prometheus did not come up: " + log());
}

nlohmann::json Prometheus::query(const std::string& promql) const {
  HttpResult r = http_get(port_, "/api/v1/query?query=" + url_encode(promql));
  if (r.status != 200) return nullptr;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || j["status"] != "success") return nullptr;
  return j["data"]["result"];
}

std::string Prometheus::log() const { return read_file(dir_ + "/prometheus.log"); }

}  // namespace vt
