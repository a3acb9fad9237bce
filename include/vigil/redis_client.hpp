#pragma once
// hiredis (async) on vigil's one Asio loop — the only file that includes hiredis.
//
// - Commands go out in pipelined batches; each batch has one deadline (`timeout`). A batch that
//   misses it fails, and the connection is dropped and rebuilt: a hung (e.g. SIGSTOPped) server
//   accepts TCP connections but never answers, and only a deadline reveals it.
// - Any failure (refused, reset, timeout, AUTH/SELECT error) marks the store down and reconnects
//   with backoff (100 ms doubling to 5 s). `on_state` hears only changes, so the operator log gets
//   one line per change, not one per failed command.
// - The socket is made close-on-exec at once (hiredis 0.14 does not), so children never inherit it.
// Never blocks the loop: connects are non-blocking, reads and writes wait for readiness.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/quantity.hpp"
#include "vigil/store_protocol.hpp"

namespace vigil {

class RedisClient {
 public:
  using BatchCallback = std::function<void(std::optional<std::vector<RedisValue>> replies, const std::string& error)>;
  using StateCallback = std::function<void(bool up, const std::string& why)>;

  RedisClient(boost::asio::io_context& io, StoreTarget target, Duration timeout, StateCallback on_state);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void start();
  /// Closes the connection for good, quietly: no state callback, no batch callback, no reconnect.
  void close();
  /// Sends `commands` pipelined. `done` runs exactly once: all replies, or nullopt and why not.
  void batch(std::vector<Command> commands, BatchCallback done);
  /// Makes this a subscriber connection (it carries nothing else then): after every (re)connect it
  /// SUBSCRIBEs to `channels`; `on_subscribed` runs once all are confirmed, `on_message` hears the
  /// channel of each message. Call before start().
  void subscribe(std::vector<std::string> channels, std::function<void(const std::string& channel)> on_message,
                 std::function<void()> on_subscribed);
  bool up() const { return up_; }
  /// False until the first connection attempt has succeeded or failed.
  bool state_known() const { return state_known_; }
  const std::string& last_error() const { return last_error_; }
  const StoreTarget& target() const { return target_; }

  struct Conn;  // public for the hiredis C callbacks in the .cpp
  /// The connection is gone (refused, reset, timed out): mark down, reconnect later.
  void on_lost(const std::string& why);
  /// A reply on the subscription: a confirmation or a message.
  void on_subscription_reply(const RedisValue& reply);

 private:
  void connect();
  void send(std::vector<Command> commands, BatchCallback done);
  void drop(const std::string& why);
  void set_state(bool up, const std::string& why);
  void schedule_reconnect();
  void send_subscribe();

  boost::asio::io_context& io_;
  StoreTarget target_;
  Duration timeout_;
  StateCallback on_state_;
  std::shared_ptr<Conn> conn_;
  bool up_ = false;
  bool state_known_ = false;
  std::string last_error_ = "not connected yet";
  Duration retry_delay_ = std::chrono::milliseconds(100);
  bool closed_ = false;
  // Shared with batches in flight: once false, their callbacks are not called (vigil is closing).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  boost::asio::steady_timer reconnect_timer_;
  std::vector<std::string> channels_;  // non-empty: a subscriber connection
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_subscribed_;
  std::size_t confirmed_ = 0;
};

}  // namespace vigil
