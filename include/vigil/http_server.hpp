#pragma once
// vigil's HTTP listener (`[vigil] http`, docs/fleet.md): Boost.Beast on the event loop, TCP or a
// unix socket; what it answers is HttpSite's. It never lets a client stall the loop:
//   - a request (header and body) must arrive within kReadTimeout, an answer be taken within
//     kWriteTimeout (beast's stream expiry), else the connection is closed;
//   - headers over 8 KiB, bodies over 4 KiB and malformed requests get a 4xx and the connection closes;
//   - at most kMaxConnections at once; when full, the connection waiting the longest for its next
//     request is closed to make room, and a new one is refused (closed) only if all are busy;
//   - out of file descriptors (EMFILE/ENFILE), accepting pauses for kAcceptRetry instead of spinning;
//   - a port that is taken is tried again every kBindRetry (vigil supervises meanwhile).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "vigil/config.hpp"
#include "vigil/http_site.hpp"

namespace vigil {

class HttpServer {
 public:
  static constexpr int kMaxConnections = 128;
  static constexpr auto kReadTimeout = std::chrono::seconds(10);
  static constexpr auto kWriteTimeout = std::chrono::seconds(30);
  static constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
  static constexpr auto kBindRetry = std::chrono::seconds(10);
  static constexpr std::size_t kHeaderLimit = 8192;
  static constexpr std::size_t kBodyLimit = 4096;

  /// Listens on `where` at once (Off: nothing). Errors are logged; binding is retried.
  HttpServer(boost::asio::io_context& io, const HttpListen& where, HttpSite& site);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool listening() const;
  /// The port bound (TCP), e.g. when the config asked for port 0 in tests.
  unsigned short port() const;
  /// Connections open now.
  int connections() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil
