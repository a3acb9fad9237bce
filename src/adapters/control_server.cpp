#include "vigil/control_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>

#include "vigil/oplog.hpp"

namespace vigil {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr auto kIdle = std::chrono::seconds(60);
// A connection that has not sent a byte yet: the CLI writes its request at once, so only a
// squatter waits longer. Short, so idle squatters cannot pile up.
constexpr auto kFirstRequest = std::chrono::seconds(5);
constexpr auto kRequestDeadline = std::chrono::seconds(10);
constexpr std::size_t kMaxPendingReplies = 1 << 20;

// Is a live server answering on this path? (A leftover file from a dead vigil refuses connections.)
bool someone_listens(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return live;
}
}  // namespace

struct ControlServer::Client : std::enable_shared_from_this<Client> {
  local::socket sock;
  ControlServer::Handler& handler;
  std::string in;
  bool discarding = false;  // skipping the rest of an over-long request, up to its newline
  std::deque<std::string> out;
  std::size_t out_bytes = 0;
  bool writing = false, closed = false;
  bool spoke = false;  // has sent at least one byte
  std::chrono::steady_clock::time_point last_active = std::chrono::steady_clock::now();
  asio::steady_timer deadline;
  char buf[4096];

  Client(local::socket s, ControlServer::Handler& h) : sock(std::move(s)), handler(h), deadline(sock.get_executor()) {}

  void start() {
    arm_deadline();
    read();
  }

  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ec;
    deadline.cancel();
    sock.close(ec);
  }

  // Between requests with nothing owed to it: may be closed to make room for a new client.
  bool idle() const { return !closed && in.empty() && !discarding && out.empty(); }

  // Idle: 60 s (5 s before the first byte). A request in progress must be complete within 10 s of
  // its first byte, so a client trickling one byte a minute is closed rather than held forever.
  void arm_deadline() {
    deadline.expires_after(!in.empty() || discarding ? kRequestDeadline : spoke ? kIdle : kFirstRequest);
    deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->close();
    });
  }

  void read() {
    sock.async_read_some(asio::buffer(buf), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
      if (ec || self->closed) return self->close();
      self->spoke = true;
      self->last_active = std::chrono::steady_clock::now();
      bool was_empty = self->in.empty() && !self->discarding;
      self->consume(std::string_view(self->buf, n));
      if (self->closed) return;
      if (was_empty || (self->in.empty() && !self->discarding)) self->arm_deadline();
      self->read();
    });
  }

  void consume(std::string_view data) {
    while (!data.empty()) {
      std::size_t nl = data.find('\n');
      if (discarding) {
        if (nl == std::string_view::npos) return;
        discarding = false;
        data.remove_prefix(nl + 1);
        continue;
      }
      std::string_view part = data.substr(0, nl);
      if (in.size() + part.size() > kMaxRequest) {
        send(error_reply("request too large (the limit is 64 KiB per line)"));
        in.clear();
        discarding = nl == std::string_view::npos;
        if (nl == std::string_view::npos) return;
        data.remove_prefix(nl + 1);
        continue;
      }
      in.append(part);
      if (nl == std::string_view::npos) return;
      data.remove_prefix(nl + 1);
      std::string line;
      line.swap(in);
      while (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      ParsedRequest p = parse_request(line);
      send(p.request ? handler(*p.request) : error_reply(p.error));
    }
  }

  void send(std::string reply) {
    if (closed) return;
    out_bytes += reply.size();
    if (out_bytes > kMaxPendingReplies) return close();  // it stopped reading: let it go
    out.push_back(std::move(reply));
    write();
  }

  void write() {
    if (writing || out.empty() || closed) return;
    writing = true;
    asio::async_write(sock, asio::buffer(out.front()), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
      self->writing = false;
      if (ec) return self->close();
      self->out_bytes -= self->out.front().size();
      self->out.pop_front();
      self->write();
    });
  }
};

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), accept_retry_(io) {
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);
  if (path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
    error_ = "control socket path too long (" + std::to_string(path_.size()) + " bytes): " + path_;
    return;
  }
  if (std::filesystem::exists(path_, ec)) {
    if (someone_listens(path_)) {
      error_ = "another vigil is already running with control socket " + path_ +
               " (stop it first, or give this one its own socket with [vigil] socket = \"...\")";
      return;
    }
    ::unlink(path_.c_str());  // left behind by a vigil that died
  }
  try {
    auto acc = std::make_unique<local::acceptor>(io_);
    acc->open();
    ::fcntl(acc->native_handle(), F_SETFD, FD_CLOEXEC);
    mode_t old = ::umask(0177);  // the socket is born 0600: no window where others may connect
    boost::system::error_code bind_ec;
    acc->bind(local::endpoint(path_), bind_ec);
    ::umask(old);
    if (bind_ec) throw boost::system::system_error(bind_ec);
    ::chmod(path_.c_str(), 0600);
    acc->listen();
    acceptor_ = std::move(acc);
  } catch (const boost::system::system_error& e) {
    error_ = "cannot listen on " + path_ + ": " + e.code().message();
    return;
  }
  accept();
}

ControlServer::~ControlServer() {
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    ::unlink(path_.c_str());
  }
}

// Full: the connection idle the longest (nothing in progress, nothing owed to it) is closed for
// the newcomer, so connections held open by any same-uid program cannot lock the CLI out. Only
// when every connection is in the middle of a request is the newcomer refused.
bool ControlServer::make_room() {
  std::shared_ptr<Client> oldest_idle;
  int open = 0;
  std::erase_if(registry_, [](const std::weak_ptr<Client>& w) {
    auto c = w.lock();
    return !c || c->closed;
  });
  for (const auto& w : registry_) {
    auto c = w.lock();
    ++open;
    if (c->idle() && (!oldest_idle || c->last_active < oldest_idle->last_active)) oldest_idle = c;
  }
  if (open < kMaxClients) return true;
  if (!oldest_idle) return false;
  oldest_idle->close();
  return true;
}

void ControlServer::accept() {
  acceptor_->async_accept([this](const boost::system::error_code& ec, local::socket sock) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) return accept_failed(ec);
    if (starved_since_ != std::chrono::steady_clock::time_point{}) {
      oplog::control_accepting_again(std::chrono::steady_clock::now() - starved_since_);
      starved_since_ = {};
    }
    {
      ucred cred{};
      socklen_t len = sizeof cred;
      bool same_user = ::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                       cred.uid == ::getuid();
      auto client = std::make_shared<Client>(std::move(sock), handler_);
      if (!same_user) {
        client->send(error_reply("permission denied: only uid " + std::to_string(::getuid()) + " may control this vigil"));
        auto self = client;
        client->deadline.expires_after(std::chrono::milliseconds(200));
        client->deadline.async_wait([self](const boost::system::error_code&) { self->close(); });
      } else if (!make_room()) {
        client->send(error_reply("too many control connections (" + std::to_string(kMaxClients) + "); try again"));
        auto self = client;
        client->deadline.expires_after(std::chrono::milliseconds(200));
        client->deadline.async_wait([self](const boost::system::error_code&) { self->close(); });
      } else {
        registry_.push_back(client);
        client->start();
      }
    }
    accept();
  });
}

void ControlServer::accept_failed(const boost::system::error_code& ec) {
  // The pending connection stays in the backlog, so accepting again at once would fail again at
  // once: a busy loop. Out of fds (or memory) is waited out; the connection is taken once a
  // client or a child frees one.
  int e = ec.value();
  bool starved = e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
  if (starved && starved_since_ == std::chrono::steady_clock::time_point{}) {
    starved_since_ = std::chrono::steady_clock::now();
    oplog::control_accept_starved(ec.message());
  }
  accept_retry_.expires_after(starved ? kAcceptRetry : std::chrono::milliseconds(10));
  accept_retry_.async_wait([this](const boost::system::error_code& wait_ec) {
    if (!wait_ec && acceptor_) accept();
  });
}

}  // namespace vigil
