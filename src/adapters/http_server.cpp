// vigil's HTTP listener (http_server.hpp): Boost.Beast sessions on the event loop.
#include "vigil/http_server.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <variant>
#include <vector>

#include "vigil/clock.hpp"
#include "vigil/files.hpp"
#include "vigil/oplog.hpp"
#include "vigil/proc_parse.hpp"

namespace vigil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

SelfProcess read_self_process() {
  SelfProcess p;
  static const long tick = ::sysconf(_SC_CLK_TCK);
  static const long page = ::sysconf(_SC_PAGESIZE);
  ProcStat st;
  if (auto text = read_file("/proc/self/stat"); text && parse_proc_stat(*text, &st)) {
    p.cpu_seconds = static_cast<double>(st.utime + st.stime) / static_cast<double>(tick);
    static const double boot = [] {
      double b = 0;
      if (auto s = read_file("/proc/stat")) {
        auto at = s->find("\nbtime ");
        if (at != std::string::npos) b = std::strtod(s->c_str() + at + 7, nullptr);
      }
      return b;
    }();
    p.start_time = boot + static_cast<double>(st.starttime) / static_cast<double>(tick);
  }
  if (auto statm = read_file("/proc/self/statm")) {
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(statm->c_str(), "%llu %llu", &size, &resident) == 2) {
      p.virtual_bytes = static_cast<double>(size) * static_cast<double>(page);
      p.resident_bytes = static_cast<double>(resident) * static_cast<double>(page);
    }
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    p.open_fds = n - 1;  // the listing's own descriptor
  }
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) p.max_fds = static_cast<double>(rl.rlim_cur);
  return p;
}

// Named rather than anonymous: Impl below derives from Registry and holds Sessions, and a class
// with external linkage may not be built from internal-linkage types (-Wsubobject-linkage once
// this file is compiled inside a unity batch).
namespace http_session {

// What every session asks of its server.
struct Registry {
  virtual ~Registry() = default;
  virtual HttpSite& site() = 0;
  virtual void gone() = 0;
};

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Stream = beast::basic_stream<Protocol>;
  Session(typename Protocol::socket socket, Registry& registry) : stream_(std::move(socket)), registry_(&registry) {}
  ~Session() {
    if (registry_) registry_->gone();
  }

  void start() { read(); }
  bool waiting() const { return waiting_; }
  TimePoint waiting_since() const { return since_; }
  void close() {
    waiting_ = false;  // not a candidate to make room any more
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ec);
    stream_.close();
  }
  void detach() { registry_ = nullptr; }  // the server is gone

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(HttpServer::kHeaderLimit);
    parser_->body_limit(HttpServer::kBodyLimit);
    waiting_ = true;
    since_ = Clock::now();
    stream_.expires_after(HttpServer::kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    waiting_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    if (ec) {
      // Malformed, too long, or a body where none belongs: say so, then close.
      unsigned status = 400;
      if (ec == http::error::header_limit) status = 431;
      else if (ec == http::error::body_limit) status = 413;
      else if (ec == http::error::bad_method || ec == http::error::bad_version) status = 400;
      HttpAnswer a;
      a.status = status;
      a.body = std::to_string(status) + " bad request: " + ec.message() + "\n";
      return write(a, false, true, 11);
    }
    if (!registry_) return close();
    const auto& req = parser_->get();
    std::string_view auth;
    if (auto it = req.find(http::field::authorization); it != req.end()) auth = it->value();
    HttpAnswer a = registry_->site().answer(req.method_string(), req.target(), auth);
    write(a, req.method() == http::verb::head, !req.keep_alive(), req.version());
  }

  void write(const HttpAnswer& a, bool head, bool close_after, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(a.status), version);
    res->set(http::field::server, "vigil/" VIGIL_VERSION);
    res->set(http::field::content_type, a.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    if (a.content_type.starts_with("text/html"))
      res->set("Content-Security-Policy",
               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
               "img-src data:; frame-ancestors 'none'");
    if (!a.allow.empty()) res->set(http::field::allow, a.allow);
    if (a.authenticate) res->set(http::field::www_authenticate, "Bearer realm=\"vigil\"");
    res->keep_alive(!close_after);
    if (head) {
      res->content_length(a.body.size());
    } else {
      res->body() = a.body;
      res->prepare_payload();
    }
    stream_.expires_after(HttpServer::kWriteTimeout);
    if (head) {
      auto sr = std::make_shared<http::response_serializer<http::string_body>>(*res);
      http::async_write_header(stream_, *sr,
                               [self = this->shared_from_this(), res, sr, close_after](beast::error_code ec, std::size_t) {
                                 self->on_write(ec, close_after);
                               });
      return;
    }
    http::async_write(stream_, *res, [self = this->shared_from_this(), res, close_after](beast::error_code ec, std::size_t) {
      self->on_write(ec, close_after);
    });
  }

  void on_write(beast::error_code ec, bool close_after) {
    if (ec || close_after) return close();
    read();
  }

  Stream stream_;
  Registry* registry_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool waiting_ = false;
  TimePoint since_{};
};

}  // namespace http_session
using http_session::Registry;
using http_session::Session;

struct HttpServer::Impl : Registry, std::enable_shared_from_this<HttpServer::Impl> {
  asio::io_context& io;
  HttpListen where;
  HttpSite& site_;
  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<local::acceptor> unix_acceptor;
  asio::steady_timer retry;
  int open = 0;
  bool stopped = false;
  bool starved = false;
  bool bind_failed_said = false;
  std::vector<std::weak_ptr<Session<tcp>>> tcp_sessions;
  std::vector<std::weak_ptr<Session<local>>> unix_sessions;

  Impl(asio::io_context& io_, const HttpListen& w, HttpSite& s) : io(io_), where(w), site_(s), retry(io_) {}

  HttpSite& site() override { return site_; }
  void gone() override { --open; }

  void listen() {
    if (stopped) return;
    beast::error_code ec;
    if (where.kind == HttpListen::Kind::Tcp) {
      tcp::acceptor acc(io);
      tcp::endpoint ep(asio::ip::make_address(where.host), where.port);
      acc.open(ep.protocol(), ec);
      if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acc.bind(ep, ec);
      if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
      if (!ec) tcp_acceptor.emplace(std::move(acc));
    } else if (where.kind == HttpListen::Kind::Unix) {
      struct stat st{};
      if (::lstat(where.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(where.path.c_str());
      local::acceptor acc(io);
      acc.open(local::endpoint(where.path).protocol(), ec);
      if (!ec) acc.bind(local::endpoint(where.path), ec);
      if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
      if (!ec) {
        ::chmod(where.path.c_str(), 0660);
        unix_acceptor.emplace(std::move(acc));
      }
    }
    if (ec) {
      if (!bind_failed_said)
        oplog::warn("http: cannot listen on " + where.str() + ": " + ec.message() + "; /metrics and the dashboard are "
                    "off until it can (trying again every " + std::to_string(kBindRetry.count()) + "s)");
      bind_failed_said = true;
      retry.expires_after(kBindRetry);
      retry.async_wait([w = weak_from_this()](const beast::error_code& e) {
        if (auto self = w.lock(); self && !e) self->listen();
      });
      return;
    }
    oplog::info("http: listening on " + where.str() + (bind_failed_said ? " (at last)" : "") +
                " (/metrics, /-/healthy, /-/ready, /api/v1/status, dashboard at /)");
    accept();
  }

  template <class Sessions>
  bool make_room(Sessions& sessions) {
    // The connection waiting longest for its next request goes; one being answered stays.
    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
    decltype(sessions.front().lock()) oldest;
    for (auto& w : sessions)
      if (auto s = w.lock(); s && s->waiting() && (!oldest || s->waiting_since() < oldest->waiting_since())) oldest = s;
    if (!oldest) return false;
    oldest->close();
    return true;
  }

  template <class Protocol, class Sessions>
  void admit(typename Protocol::socket socket, Sessions& sessions) {
    if (open >= kMaxConnections && !make_room(sessions)) {
      beast::error_code ec;
      socket.close(ec);
      return;
    }
    ++open;
    auto s = std::make_shared<Session<Protocol>>(std::move(socket), *this);
    sessions.push_back(s);
    if (sessions.size() > static_cast<std::size_t>(2 * kMaxConnections))
      std::erase_if(sessions, [](const auto& w) { return w.expired(); });
    s->start();
  }

  void accept_failed(const beast::error_code& ec) {
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory) {
      if (!starved) oplog::warn("http: cannot accept connections: " + ec.message() + "; pausing accepts");
      starved = true;
      retry.expires_after(kAcceptRetry);
      retry.async_wait([w = weak_from_this()](const beast::error_code& e) {
        if (auto self = w.lock(); self && !e) self->accept();
      });
      return;
    }
    accept();
  }

  void accept() {
    if (stopped) return;
    auto w = weak_from_this();
    if (tcp_acceptor) {
      tcp_acceptor->async_accept([w](beast::error_code ec, tcp::socket socket) {
        auto self = w.lock();
        if (!self || ec == asio::error::operation_aborted) return;
        if (ec) return self->accept_failed(ec);
        if (self->starved) oplog::info("http: accepting connections again");
        self->starved = false;
        self->admit<tcp>(std::move(socket), self->tcp_sessions);
        self->accept();
      });
    } else if (unix_acceptor) {
      unix_acceptor->async_accept([w](beast::error_code ec, local::socket socket) {
        auto self = w.lock();
        if (!self || ec == asio::error::operation_aborted) return;
        if (ec) return self->accept_failed(ec);
        self->starved = false;
        self->admit<local>(std::move(socket), self->unix_sessions);
        self->accept();
      });
    }
  }

  void stop() {
    stopped = true;
    retry.cancel();
    beast::error_code ec;
    if (tcp_acceptor) tcp_acceptor->close(ec);
    if (unix_acceptor) {
      unix_acceptor->close(ec);
      ::unlink(where.path.c_str());
    }
    for (auto& w : tcp_sessions)
      if (auto s = w.lock()) s->detach(), s->close();
    for (auto& w : unix_sessions)
      if (auto s = w.lock()) s->detach(), s->close();
  }
};

HttpServer::HttpServer(asio::io_context& io, const HttpListen& where, HttpSite& site)
    : impl_(std::make_shared<Impl>(io, where, site)) {
  if (where.kind != HttpListen::Kind::Off) impl_->listen();
}

HttpServer::~HttpServer() { impl_->stop(); }

bool HttpServer::listening() const { return impl_->tcp_acceptor || impl_->unix_acceptor; }

unsigned short HttpServer::port() const {
  beast::error_code ec;
  return impl_->tcp_acceptor ? impl_->tcp_acceptor->local_endpoint(ec).port() : 0;
}

int HttpServer::connections() const { return impl_->open; }

}  // namespace vigil
