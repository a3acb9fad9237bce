#pragma once
// vigil's own NOTIFY_SOCKET for its children: an AF_UNIX datagram socket with SO_PASSCRED, so every
// message arrives with the sender's pid (SCM_CREDENTIALS) and can be attributed to a service by its
// process tree. Oversized, truncated or credential-less datagrams are dropped without harm.
// Runs on the event loop; never blocks (non-blocking recvmsg after a readiness wait).
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace vigil {

class NotifySocket {
 public:
  using Handler = std::function<void(pid_t sender, std::string_view datagram)>;

  /// Binds `path` (a stale socket file there is replaced). On failure `error()` says why and the
  /// socket stays closed: vigil runs on, and ready = "notify" services time out with a clear reason.
  NotifySocket(boost::asio::io_context& io, std::string path, Handler handler);
  ~NotifySocket();

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  void arm();
  void drain();

  std::string path_;
  Handler handler_;
  std::string error_;
  int fd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> sd_;
};

}  // namespace vigil
