#include "vigil/redis_client.hpp"

#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include "vigil/redis_reply.hpp"

namespace vigil {

namespace asio = boost::asio;

// One hiredis context and the Asio descriptor that watches its socket.
struct RedisClient::Conn : std::enable_shared_from_this<Conn> {
  RedisClient* owner = nullptr;
  redisAsyncContext* ac = nullptr;  // null once hiredis freed it
  std::unique_ptr<asio::posix::stream_descriptor> sd;
  bool want_read = false, want_write = false, reading = false, writing = false;
  bool dropping = false;  // we are freeing it ourselves: its disconnect callback is not news
  std::string refused;    // why a reply was refused (the reader then reports "Out of memory")

  void arm_read() {
    if (reading || !ac || !want_read) return;
    reading = true;
    sd->async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
      self->reading = false;
      if (ec || !self->ac) return;
      redisAsyncHandleRead(self->ac);  // may free the context (EOF): ac is then null
      if (self->ac && self->ac->c.reader->len - self->ac->c.reader->pos > kMaxReplyBytes) {
        // A bulk string is buffered until it is complete: a claimed length is not trusted either.
        self->refused = "a reply longer than " + std::to_string(kMaxReplyBytes >> 20) + " MiB";
        self->owner->drop(self->refused);
        return;
      }
      self->arm_read();
    });
  }
  void arm_write() {
    if (writing || !ac || !want_write) return;
    writing = true;
    sd->async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
      self->writing = false;
      if (ec || !self->ac) return;
      redisAsyncHandleWrite(self->ac);
      self->arm_write();
    });
  }
  void forget_context() {
    ac = nullptr;
    want_read = want_write = false;
    if (sd) sd->release();  // hiredis closes the fd itself; pending waits end with operation_aborted
  }
};

namespace {

using Conn = RedisClient::Conn;

Conn* conn_of(const redisAsyncContext* ac) { return static_cast<Conn*>(ac->ev.data); }

void add_read(void* p) {
  auto* c = static_cast<Conn*>(p);
  c->want_read = true;
  c->arm_read();
}
void del_read(void* p) { static_cast<Conn*>(p)->want_read = false; }
void add_write(void* p) {
  auto* c = static_cast<Conn*>(p);
  c->want_write = true;
  c->arm_write();
}
void del_write(void* p) { static_cast<Conn*>(p)->want_write = false; }
void cleanup(void* p) { static_cast<Conn*>(p)->forget_context(); }

// A batch in flight: replies arrive one callback each; the first failure or the deadline ends it.
struct Pending {
  std::vector<RedisValue> replies;
  std::size_t remaining = 0;
  RedisClient::BatchCallback done;
  bool finished = false;
  std::unique_ptr<asio::steady_timer> deadline;
  std::shared_ptr<bool> client_alive;

  void finish(std::optional<std::vector<RedisValue>> r, const std::string& err) {
    if (finished) return;
    finished = true;
    deadline->cancel();
    auto cb = std::move(done);
    if (*client_alive) cb(std::move(r), err);
  }
};

struct ReplySlot {
  std::shared_ptr<Pending> batch;
  std::size_t index;
};

void on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<ReplySlot> slot(static_cast<ReplySlot*>(privdata));
  Pending& p = *slot->batch;
  if (p.finished) return;
  if (!reply) {
    p.finish(std::nullopt, ac && ac->errstr[0] ? ac->errstr : "connection lost");
    return;
  }
  p.replies[slot->index] = copy_reply(*static_cast<redisReply*>(reply));
  if (--p.remaining == 0) p.finish(std::move(p.replies), "");
}

// Every reply on a subscription, for every channel. hiredis also calls it with no reply while it
// frees the context, once per channel: privdata is null, the Conn is found through the context.
void on_subscription(redisAsyncContext* ac, void* reply, void*) {
  if (!reply || !ac) return;
  Conn* c = conn_of(ac);
  if (!c || c->dropping) return;
  c->owner->on_subscription_reply(copy_reply(*static_cast<redisReply*>(reply)));
}

void on_connect(const redisAsyncContext* ac, int status) {
  Conn* c = conn_of(ac);
  if (status != REDIS_OK) {
    // hiredis frees the context itself after a failed connect.
    std::string why = ac->errstr[0] ? ac->errstr : "connect failed";
    c->forget_context();
    if (!c->dropping) c->owner->on_lost(why);
  }
}

void on_disconnect(const redisAsyncContext* ac, int status) {
  Conn* c = conn_of(ac);
  std::string why = status == REDIS_OK ? "connection closed" : (ac->errstr[0] ? ac->errstr : "connection lost");
  if (!c->refused.empty()) why = "refused " + c->refused + " (not a Redis server, or a broken one)";
  c->forget_context();
  if (!c->dropping) c->owner->on_lost(why);
}

}  // namespace

RedisClient::RedisClient(asio::io_context& io, StoreTarget target, Duration timeout, StateCallback on_state)
    : io_(io), target_(std::move(target)), timeout_(timeout), on_state_(std::move(on_state)), reconnect_timer_(io) {}

RedisClient::~RedisClient() { close(); }

void RedisClient::close() {
  closed_ = true;
  *alive_ = false;
  reconnect_timer_.cancel();
  if (conn_ && conn_->ac) {
    conn_->dropping = true;
    redisAsyncFree(conn_->ac);
  }
  conn_.reset();
}

void RedisClient::start() { connect(); }

void RedisClient::connect() {
  redisAsyncContext* ac = target_.unix_path.empty() ? redisAsyncConnect(target_.host.c_str(), target_.port)
                                                     : redisAsyncConnectUnix(target_.unix_path.c_str());
  if (!ac || ac->err) {
    std::string why = ac ? ac->errstr : "out of memory";
    if (ac) redisAsyncFree(ac);
    on_lost(why);
    return;
  }
  ::fcntl(ac->c.fd, F_SETFD, FD_CLOEXEC);
  auto c = std::make_shared<Conn>();
  c->owner = this;
  c->ac = ac;
  c->sd = std::make_unique<asio::posix::stream_descriptor>(io_, ac->c.fd);
  ac->ev.data = c.get();
  bound_reader(*ac->c.reader, &c->refused);
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
  conn_ = c;

  // The handshake proves the server answers (a connect alone does not) and selects the database.
  std::vector<Command> hello;
  if (!target_.password.empty()) hello.push_back({"AUTH", target_.password});
  if (target_.db != 0) hello.push_back({"SELECT", std::to_string(target_.db)});
  hello.push_back({"PING"});
  send(std::move(hello), [this](std::optional<std::vector<RedisValue>> replies, const std::string& err) {
    if (!replies) return drop(err);
    for (const auto& r : *replies)
      if (r.type == RedisValue::Type::Error) return drop("handshake refused: " + r.str);
    retry_delay_ = std::chrono::milliseconds(100);
    set_state(true, "");
    if (!channels_.empty()) send_subscribe();
  });
}

void RedisClient::subscribe(std::vector<std::string> channels, std::function<void(const std::string&)> on_message,
                            std::function<void()> on_subscribed) {
  channels_ = std::move(channels);
  on_message_ = std::move(on_message);
  on_subscribed_ = std::move(on_subscribed);
}

void RedisClient::send_subscribe() {
  if (!conn_ || !conn_->ac) return;
  confirmed_ = 0;
  std::vector<const char*> argv{"SUBSCRIBE"};
  std::vector<size_t> lens{9};
  for (const auto& ch : channels_) {
    argv.push_back(ch.data());
    lens.push_back(ch.size());
  }
  if (redisAsyncCommandArgv(conn_->ac, on_subscription, nullptr, static_cast<int>(argv.size()), argv.data(),
                            lens.data()) != REDIS_OK)
    drop("cannot subscribe: connection is closing");
}

void RedisClient::on_subscription_reply(const RedisValue& r) {
  if (r.type == RedisValue::Type::Error) return drop("SUBSCRIBE refused: " + r.str);
  if (r.type != RedisValue::Type::Array || r.elements.size() < 2) return;
  const std::string& kind = r.elements[0].str;
  if (kind == "message") {
    on_message_(r.elements[1].str);
  } else if (kind == "subscribe") {
    // One confirmation per channel; writes from here on are heard.
    if (++confirmed_ == channels_.size() && on_subscribed_) on_subscribed_();
  }
}

void RedisClient::batch(std::vector<Command> commands, BatchCallback done) {
  if (closed_ || !up_ || !conn_ || !conn_->ac) {
    done(std::nullopt, last_error_);
    return;
  }
  send(std::move(commands), std::move(done));
}

void RedisClient::send(std::vector<Command> commands, BatchCallback done) {
  auto p = std::make_shared<Pending>();
  p->replies.resize(commands.size());
  p->remaining = commands.size();
  p->done = std::move(done);
  p->client_alive = alive_;
  p->deadline = std::make_unique<asio::steady_timer>(io_, timeout_);
  std::weak_ptr<Pending> weak = p;
  p->deadline->async_wait([this, weak](const boost::system::error_code& ec) {
    auto batch = weak.lock();
    if (ec || !batch || batch->finished) return;
    std::string why = "no answer within " + format_duration(timeout_);
    batch->finish(std::nullopt, why);
    drop(why);
  });
  if (commands.empty()) {
    p->finish(std::vector<RedisValue>{}, "");
    return;
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : commands[i]) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* slot = new ReplySlot{p, i};
    if (redisAsyncCommandArgv(conn_->ac, on_reply, slot, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      delete slot;
      p->finish(std::nullopt, "cannot queue a command: connection is closing");
      return;
    }
  }
}

void RedisClient::drop(const std::string& reported) {
  auto c = conn_;
  // A refused reply fails its batch with hiredis's "Out of memory": say what really happened.
  std::string why = c && !c->refused.empty() ? "refused " + c->refused + " (not a Redis server, or a broken one)" : reported;
  if (c && c->ac) {
    c->dropping = true;
    redisAsyncFree(c->ac);  // pending callbacks fire with no reply; they are already finished
  }
  on_lost(why);
}

void RedisClient::on_lost(const std::string& why) {
  if (closed_) return;
  // Called from inside hiredis callbacks too, and hiredis still touches ev.data (the Conn) after
  // they return: let the Conn go only once the current call stack has unwound.
  if (conn_) asio::post(io_, [c = std::move(conn_)] {});
  set_state(false, why);
  schedule_reconnect();
}

void RedisClient::schedule_reconnect() {
  reconnect_timer_.expires_after(retry_delay_);
  retry_delay_ = std::min<Duration>(retry_delay_ * 2, std::chrono::seconds(5));
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !conn_) connect();
  });
}

void RedisClient::set_state(bool up, const std::string& why) {
  if (!up) last_error_ = why;
  if (state_known_ && up == up_) return;
  state_known_ = true;
  up_ = up;
  on_state_(up, why);
}

}  // namespace vigil
