#pragma once
// The control socket (docs/cli.md): a unix stream socket, folder 0700, socket 0600.
// Runs on the event loop and never lets a client stall it:
//   - only the same uid may connect (SO_PEERCRED); others get one error line and are closed;
//   - at most kMaxClients at once; when full, the connection idle the longest is closed to make
//     room for a new one (refused only if all are mid-request); a request over 64 KiB, malformed
//     JSON or an unknown command gets an error reply and the connection stays usable;
//   - a request must be complete within 10 s of its first byte; an idle connection closes after
//     60 s, one that has not sent anything yet after 5 s;
//   - replies are written asynchronously; a client that stops reading is dropped once 1 MiB of
//     replies is waiting for it;
//   - out of file descriptors (EMFILE/ENFILE), accepting pauses for kAcceptRetry instead of
//     spinning; vigil says so once, and again when connections are accepted again.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/control_protocol.hpp"

namespace vigil {

class ControlServer {
 public:
  /// Returns the reply line for a request (JSON, ending in '\n').
  using Handler = std::function<std::string(const Request&)>;
  static constexpr int kMaxClients = 32;
  static constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

  ControlServer(boost::asio::io_context& io, std::string path, Handler handler);
  ~ControlServer();

  /// False when the socket could not be set up; error() says why (e.g. another vigil is running).
  bool ok() const { return acceptor_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  struct Client;

 private:
  void accept();
  bool make_room();
  /// A failed accept: out of fds (or kernel memory) pauses accepting; anything else is retried.
  void accept_failed(const boost::system::error_code& ec);

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  std::string error_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::vector<std::weak_ptr<Client>> registry_;  // same-uid clients admitted, for make_room()
  boost::asio::steady_timer accept_retry_;
  std::chrono::steady_clock::time_point starved_since_{};  // set while accepting fails for want of fds
};

}  // namespace vigil
