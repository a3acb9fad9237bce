#include "http_peers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
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

Alertmanager::Alertmanager(const TempDir& dir) : port_(free_tcp_port()) {
  std::string cfg = dir / "alertmanager.yml";
  write_file(cfg, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  std::string storage = dir / "am-data";
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus-alertmanager", "--config.file=" + cfg, "--storage.path=" + storage,
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address="},
      dir / "alertmanager.log");
  if (!wait_for([&] { return alerts().is_array(); }, 30s))
    throw std::runtime_error("alertmanager did not come up: " + read_file(dir / "alertmanager.log"));
}

std::string Alertmanager::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v2/alerts"; }

nlohmann::json Alertmanager::alerts() const {
  CommandResult r = run_command({"/usr/bin/python3", "-c",
                                 "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())",
                                 url()});
  if (r.exit_code != 0) return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

}  // namespace vt
