#pragma once
// A real redis-server for one test: 127.0.0.1 on a free port (or a unix socket in the test's folder),
// no persistence, stopped (and reaped) by the destructor. `stop()`/`start()` restart it on the same
// address; `freeze()`/`thaw()` SIGSTOP/SIGCONT it to stand in for a hung server.
#include <sys/types.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace vt {

class RedisServer {
 public:
  enum class Kind { Tcp, Unix };
  RedisServer(const TempDir& dir, Kind kind = Kind::Tcp);
  ~RedisServer();

  void start();
  void stop();  // SIGKILL, as a crash would
  void freeze();
  void thaw();

  /// The TCP port (Kind::Tcp).
  int port() const { return port_; }
  /// The [store] url for vigil.toml.
  std::string url() const;
  /// Runs redis-cli against this server; returns its stdout.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  const TempDir& dir_;
  Kind kind_;
  int port_ = 0;
  std::string socket_;
  pid_t pid_ = -1;
  bool frozen_ = false;
};

}  // namespace vt
