#pragma once
// Alert delivery off the event loop: one thread and one bounded queue per [notify.NAME], so a
// notifier that hangs (a webhook that never answers, a script stuck for its whole timeout) delays
// only its own channel, never supervision and never the other channels. Each delivery is bounded by
// the notifier's timeout and retried with backoff (1 s, 2 s, 4 s ...) up to `retries` times.
//
// Threads: configure()/send() are called on the event loop; deliveries run on the channel threads;
// the failure hook runs on a channel thread and must only hand the news back to the loop.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/rule_engine.hpp"
#include "vigil/rules_config.hpp"

namespace vigil {

class NotifierPool {
 public:
  struct ChannelStats {
    std::string name;
    std::string type;
    std::uint64_t sent = 0;
    std::uint64_t failed = 0;   // attempts that failed
    std::uint64_t dropped = 0;  // notifications dropped because the queue was full
    std::string last_error;
    double last_error_at = 0;   // unix seconds
  };
  /// (channel, what was being sent, error, gave up after the last retry)
  using FailureHook = std::function<void(const std::string&, const std::string&, const std::string&, bool)>;

  NotifierPool(std::string host, FailureHook on_failure);
  /// Stops every channel; each finishes the attempt it is in (bounded by its timeout).
  ~NotifierPool();
  NotifierPool(const NotifierPool&) = delete;
  NotifierPool& operator=(const NotifierPool&) = delete;

  /// Channels whose spec is unchanged keep running (and their queues); others are replaced.
  void configure(const std::vector<NotifierSpec>& specs);
  /// Queues `n` for each of its targets.
  void send(const Notification& n);
  void send_to(const std::string& channel, const Notification& n);
  bool is_alertmanager(const std::string& channel) const;
  /// An alertmanager channel's `resend` period (nullopt for other channels).
  std::optional<Duration> alertmanager_resend(const std::string& channel) const;
  /// The dashboard's address, for generatorURL ("" = none). Set before the first configure().
  void set_generator_url(std::string url) { generator_url_ = std::move(url); }
  std::vector<ChannelStats> stats() const;

  struct Channel;

 private:
  std::string host_;
  std::string generator_url_;
  FailureHook on_failure_;
  std::map<std::string, std::shared_ptr<Channel>> channels_;
  std::vector<std::shared_ptr<Channel>> retired_;  // replaced channels finishing their last attempt; freed at the next configure()
};

}  // namespace vigil
