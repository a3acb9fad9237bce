// One probe check, asynchronously on the loop (probe_check.hpp).
#include "vigil/probe_check.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "vigil/child_process.hpp"
#include "vigil/pattern.hpp"
#include "vigil/quantity.hpp"

namespace vigil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

std::string_view to_string(ProbeKind k) {
  switch (k) {
    case ProbeKind::Http: return "http";
    case ProbeKind::Tcp: return "tcp";
    case ProbeKind::Exec: return "exec";
  }
  return "?";
}

namespace {

// 1-65535 written in decimal digits, or nothing.
std::optional<unsigned short> port_number(const std::string& port) {
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int n = std::stoi(port);
  if (n == 0 || n > 65535) return std::nullopt;
  return static_cast<unsigned short>(n);
}

}  // namespace

std::optional<HttpTarget> parse_http_url(const std::string& url, std::string* error) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) {
    *error = "'" + url + "' is not a URL (" + u.error().message() + ")";
    return std::nullopt;
  }
  if (u->scheme() != "http") {
    *error = "only http:// URLs can be probed (TLS is not built in); got '" + std::string(u->scheme()) + "'";
    return std::nullopt;
  }
  if (u->host().empty()) {
    *error = "'" + url + "' names no host";
    return std::nullopt;
  }
  HttpTarget t;
  t.host = u->encoded_host_address();
  if (!t.host.empty() && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = u->has_port() ? std::string(u->port()) : "80";
  t.target = u->encoded_resource().empty() ? "/" : std::string(u->encoded_resource());
  if (t.target.front() != '/') t.target = "/" + t.target;
  return t;
}

std::optional<std::pair<std::string, std::string>> parse_host_port(const std::string& address, std::string* error) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    *error = "'" + address + "' is not HOST:PORT";
    return std::nullopt;
  }
  std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!port_number(port)) {
    *error = "'" + port + "' is not a port (1-65535)";
    return std::nullopt;
  }
  return std::pair{host, port};
}

namespace {

std::string clip(std::string s) {
  if (s.size() > kProbeDetailLimit) s.resize(kProbeDetailLimit);
  return s;
}

std::string timed_out(const ProbeSpec& spec) { return "timed out after " + format_duration(spec.timeout); }

// Probes mostly name 127.0.0.1: such an address needs no resolver, whose every lookup is a
// getaddrinfo() on Asio's resolver thread and two hand-offs, most of a loopback check's cost.
std::optional<tcp::endpoint> numeric_endpoint(const std::string& host, const std::string& port) {
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  auto n = port_number(port);
  if (ec || !n) return std::nullopt;
  return tcp::endpoint(ip, *n);
}

// What every kind of check shares: the deadline, the start time, the one-shot callback and the
// cancelled flag that keeps a late completion from reaching a probe that no longer exists.
struct CheckBase {
  CheckBase(asio::io_context& io, const ProbeSpec& s, std::function<void(ProbeResult)> d)
      : spec(s), done(std::move(d)), deadline(io), started(SteadyClock::now()) {}
  ProbeSpec spec;
  std::function<void(ProbeResult)> done;
  asio::steady_timer deadline;
  SteadyClock::time_point started;
  std::shared_ptr<bool> cancelled = std::make_shared<bool>(false);
  bool finished = false, expired = false;

  // The result is handed on from the loop, never from inside ProbeCheck::start(): a check can end
  // there (a probe command that could not be spawned, a URL that does not parse), before its
  // caller holds the handle that marks it in flight — which then stayed in flight for good.
  void finish(ProbeResult r) {
    if (finished) return;
    finished = true;
    deadline.cancel();
    r.latency = SteadyClock::now() - started;
    if (*cancelled || !done) return;
    asio::post(deadline.get_executor(), [cancelled = cancelled, done = std::move(done), r = std::move(r)]() mutable {
      if (!*cancelled) done(std::move(r));
    });
  }
};

// ---- http ----------------------------------------------------------------------------------

struct HttpCheck : CheckBase, std::enable_shared_from_this<HttpCheck> {
  HttpCheck(asio::io_context& io, const ProbeSpec& s, std::function<void(ProbeResult)> d)
      : CheckBase(io, s, std::move(d)), resolver(io), socket(io) {}
  tcp::resolver resolver;
  // A plain socket, not beast::tcp_stream: the check's one deadline bounds it all, so the
  // stream's own timers would be per-check bookkeeping for nothing.
  tcp::socket socket;
  beast::flat_buffer buffer;
  http::request<http::empty_body> request;
  http::response_parser<http::string_body> parser;
  std::optional<Pattern> body;

  void run() {
    std::string err;
    auto target = parse_http_url(spec.url, &err);
    if (!target) return fail(err);
    if (!spec.body.empty()) {
      body = Pattern::compile(spec.body, &err);
      if (!body) return fail("bad body pattern: " + err);
    }
    request = {http::verb::get, target->target, 11};
    request.set(http::field::host, target->port == "80" ? target->host : target->host + ":" + target->port);
    request.set(http::field::user_agent, "vigil-probe/" VIGIL_VERSION);
    request.set(http::field::connection, "close");
    parser.body_limit(kProbeBodyLimit);
    deadline.expires_after(spec.timeout);
    deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      self->expired = true;
      self->stop();
    });
    if (auto ep = numeric_endpoint(target->host, target->port)) {
      socket.async_connect(*ep, [self = shared_from_this()](const boost::system::error_code& ec) { self->connected(ec); });
      return;
    }
    resolver.async_resolve(target->host, target->port,
                           [self = shared_from_this()](const boost::system::error_code& ec, tcp::resolver::results_type r) {
                             if (ec) return self->fail_io("cannot resolve", ec);
                             // Resolved as the deadline passed: stop() closed no socket yet.
                             if (self->expired) return self->fail(timed_out(self->spec));
                             asio::async_connect(
                                 self->socket, r, [self](const boost::system::error_code& ec2, const tcp::endpoint&) { self->connected(ec2); });
                           });
  }
  void connected(const boost::system::error_code& ec) {
    if (ec) return fail_io("cannot connect", ec);
    send();
  }
  void send() {
    http::async_write(socket, request, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
      if (ec) return self->fail_io("cannot send the request", ec);
      // Wait for the answer before reading: a read right after the request finds nothing yet
      // (one system call for EAGAIN per check), and the first read takes up to 4 KiB at once.
      self->socket.async_wait(tcp::socket::wait_read, [self](const boost::system::error_code& ec2) {
        if (ec2) return self->fail_io("no valid response", ec2);
        self->buffer.reserve(4096);
        http::async_read(self->socket, self->buffer, self->parser,
                         [self](const boost::system::error_code& ec3, std::size_t) { self->read(ec3); });
      });
    });
  }
  void read(const boost::system::error_code& ec) {
    if (ec) return fail_io("no valid response", ec);
    auto& res = parser.get();
    ProbeResult r;
    r.http_status = static_cast<int>(res.result_int());
    r.detail = clip(res.body());
    bool status_ok = spec.status ? r.http_status == *spec.status : (r.http_status >= 200 && r.http_status < 400);
    if (!status_ok) {
      r.detail = "HTTP " + std::to_string(r.http_status) + (r.detail.empty() ? "" : ": " + r.detail);
      r.detail = clip(r.detail);
    } else if (body && !body->found_in(res.body())) {
      r.detail = clip("body does not match /" + spec.body + "/: " + r.detail);
    } else {
      r.passed = true;
    }
    stop();
    finish(std::move(r));
  }
  void fail_io(const std::string& what, const boost::system::error_code& ec) {
    fail(expired ? timed_out(spec) : what + ": " + ec.message());
  }
  void fail(const std::string& why) {
    stop();
    ProbeResult r;
    r.detail = clip(why);
    finish(std::move(r));
  }
  void stop() {
    resolver.cancel();
    beast::error_code ignored;
    socket.close(ignored);
  }
};

// ---- tcp -----------------------------------------------------------------------------------

struct TcpCheck : CheckBase, std::enable_shared_from_this<TcpCheck> {
  TcpCheck(asio::io_context& io, const ProbeSpec& s, std::function<void(ProbeResult)> d)
      : CheckBase(io, s, std::move(d)), resolver(io), socket(io) {}
  tcp::resolver resolver;
  tcp::socket socket;

  void run() {
    std::string err;
    auto hp = parse_host_port(spec.address, &err);
    if (!hp) return result(false, err);
    deadline.expires_after(spec.timeout);
    deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      self->expired = true;
      self->stop();
    });
    if (auto ep = numeric_endpoint(hp->first, hp->second)) {
      socket.async_connect(*ep, [self = shared_from_this(), ep = *ep](const boost::system::error_code& ec) { self->connected(ec, ep); });
      return;
    }
    resolver.async_resolve(hp->first, hp->second,
                           [self = shared_from_this()](const boost::system::error_code& ec, tcp::resolver::results_type r) {
                             if (ec) return self->result(false, self->why("cannot resolve", ec));
                             if (self->expired) return self->result(false, timed_out(self->spec));  // as above
                             asio::async_connect(self->socket, r, [self](const boost::system::error_code& ec2, const tcp::endpoint& ep) {
                               self->connected(ec2, ep);
                             });
                           });
  }
  void connected(const boost::system::error_code& ec, const tcp::endpoint& ep) {
    if (ec) return result(false, why("cannot connect", ec));
    result(true, "connected to " + ep.address().to_string() + ":" + std::to_string(ep.port()));
  }
  std::string why(const std::string& what, const boost::system::error_code& ec) {
    return expired ? timed_out(spec) : what + ": " + ec.message();
  }
  void result(bool ok, std::string detail) {
    stop();
    ProbeResult r;
    r.passed = ok;
    r.detail = clip(std::move(detail));
    finish(std::move(r));
  }
  void stop() {
    resolver.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
  }
};

// ---- exec ----------------------------------------------------------------------------------

struct ExecCheck : CheckBase, std::enable_shared_from_this<ExecCheck> {
  ExecCheck(asio::io_context& io, const ProbeSpec& s, std::function<void(ProbeResult)> d, ProbeEnv e)
      : CheckBase(io, s, std::move(d)), io_(io), env(std::move(e)) {}
  asio::io_context& io_;
  ProbeEnv env;
  pid_t pid = 0;
  std::unique_ptr<asio::posix::stream_descriptor> pidfd, out, err;
  std::string output;
  char buf[4096];

  void run() {
    SpawnSpec ss;
    ss.argv = spec.command;
    ss.cwd = env.cwd;
    ss.env = env.env;
    SpawnResult r = spawn_child(ss);
    if (!r.child) {
      ProbeResult res;
      res.detail = clip(r.error);
      return finish(std::move(res));
    }
    pid = r.child->pid;
    if (env.own_pid) env.own_pid(pid, true);
    pidfd = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->pidfd);
    out = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->out_fd);
    err = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->err_fd);
    read_from(*out);
    read_from(*err);
    deadline.expires_after(spec.timeout);
    deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || !self->pid) return;
      self->expired = true;
      signal_process_group(self->pid, SIGKILL);
    });
    watch();
  }
  void read_from(asio::posix::stream_descriptor& d) {
    d.async_read_some(asio::buffer(buf), [self = shared_from_this(), &d](const boost::system::error_code& ec, std::size_t n) {
      if (ec) return;  // EOF, or closed when the check finished
      if (self->output.size() < kProbeDetailLimit)
        self->output.append(self->buf, std::min(n, kProbeDetailLimit - self->output.size()));
      self->read_from(d);
    });
  }
  void watch() {
    pidfd->async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      auto status = reap_child(self->pid);
      if (!status) return self->watch();
      self->exited(*status);
    });
  }
  void exited(const ExitStatus& status) {
    // Whatever the probe left running in its group goes with it: a probe never leaves processes.
    signal_process_group(pid, SIGKILL);
    if (env.own_pid) env.own_pid(pid, false);
    pid = 0;
    drain(*out);
    drain(*err);
    close();
    ProbeResult r;
    r.exit_code = status.signaled ? -1 : status.code;
    r.passed = !expired && !status.signaled && status.code == 0;
    std::string text = output;
    if (expired)
      text = timed_out(spec) + " (process group killed)" + (text.empty() ? "" : ": " + text);
    else if (status.signaled)
      text = "killed by signal " + std::to_string(status.signal) + (text.empty() ? "" : ": " + text);
    else if (status.code != 0)
      text = "exit code " + std::to_string(status.code) + (text.empty() ? "" : ": " + text);
    r.detail = clip(std::move(text));
    finish(std::move(r));
  }
  // What the probe wrote just before it exited may not have been read yet.
  void drain(asio::posix::stream_descriptor& d) {
    for (;;) {
      ssize_t n = ::read(d.native_handle(), buf, sizeof buf);
      if (n <= 0) return;
      if (output.size() < kProbeDetailLimit)
        output.append(buf, std::min(static_cast<std::size_t>(n), kProbeDetailLimit - output.size()));
    }
  }
  void close() {
    boost::system::error_code ignored;
    if (out) out->close(ignored);
    if (err) err->close(ignored);
  }
  void cancel() {
    *cancelled = true;
    if (pid) signal_process_group(pid, SIGKILL);  // the pidfd wait still reaps it
    deadline.cancel();
    close();
  }
};

template <class Check>
class Handle : public ProbeCheck {
 public:
  explicit Handle(std::shared_ptr<Check> c) : check_(std::move(c)) {}
  ~Handle() override {
    *check_->cancelled = true;
    if constexpr (std::is_same_v<Check, ExecCheck>) {
      check_->cancel();
    } else {
      check_->deadline.cancel();
      check_->stop();
    }
  }

 private:
  std::shared_ptr<Check> check_;
};

}  // namespace

std::unique_ptr<ProbeCheck> ProbeCheck::start(asio::io_context& io, const ProbeSpec& spec, const ProbeEnv& env,
                                              std::function<void(ProbeResult)> done) {
  switch (spec.kind) {
    case ProbeKind::Http: {
      auto c = std::make_shared<HttpCheck>(io, spec, std::move(done));
      c->run();
      return std::make_unique<Handle<HttpCheck>>(std::move(c));
    }
    case ProbeKind::Tcp: {
      auto c = std::make_shared<TcpCheck>(io, spec, std::move(done));
      c->run();
      return std::make_unique<Handle<TcpCheck>>(std::move(c));
    }
    case ProbeKind::Exec: {
      auto c = std::make_shared<ExecCheck>(io, spec, std::move(done), env);
      c->run();
      return std::make_unique<Handle<ExecCheck>>(std::move(c));
    }
  }
  return nullptr;
}

}  // namespace vigil
