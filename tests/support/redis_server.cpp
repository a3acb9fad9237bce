#include "redis_server.hpp"

#include "http_peers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace vt {

RedisServer::RedisServer(const TempDir& dir, Kind kind) : dir_(dir), kind_(kind) {
  if (kind_ == Kind::Tcp) port_ = free_tcp_port();
  else socket_ = dir_ / "redis.sock";
  start();
}

RedisServer::~RedisServer() {
  if (frozen_) thaw();
  stop();
}

void RedisServer::start() {
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--save", "", "--appendonly", "no", "--dir", dir_.path()};
  if (kind_ == Kind::Tcp) {
    argv.insert(argv.end(), {"--port", std::to_string(port_), "--bind", "127.0.0.1"});
  } else {
    argv.insert(argv.end(), {"--port", "0", "--unixsocket", socket_});
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  if (!wait_for([&] { return cli({"PING"}).find("PONG") != std::string::npos; }))
    throw std::runtime_error("redis-server did not come up");
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int ws;
  ::waitpid(pid_, &ws, 0);
  pid_ = -1;
}

void RedisServer::freeze() {
  ::kill(pid_, SIGSTOP);
  frozen_ = true;
}

void RedisServer::thaw() {
  ::kill(pid_, SIGCONT);
  frozen_ = false;
}

std::string RedisServer::url() const {
  return kind_ == Kind::Tcp ? "redis://127.0.0.1:" + std::to_string(port_) + "/0" : "unix:" + socket_;
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/redis-cli"};
  if (kind_ == Kind::Tcp) argv.insert(argv.end(), {"-h", "127.0.0.1", "-p", std::to_string(port_)});
  else argv.insert(argv.end(), {"-s", socket_});
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv).out;
}

}  // namespace vt
