#pragma once
// Reads every service's freshness timestamp and store metrics in one pipelined batch per sample,
// and keeps `store_up`. A dead, refused or hung store costs one failed batch per sample (bounded by
// [store] timeout) and turns the store metrics into "no value"; supervision is never affected.
//
// When the server publishes keyspace notifications (`notify-keyspace-events` with K and a write
// class), a second connection subscribes to the watched keys, and a write is read back at once:
// data_age drops, and an alert on it resolves, within milliseconds rather than at the next sample.
// vigil never changes the server's setting; it asks (CONFIG GET) at every connect.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "vigil/config.hpp"
#include "vigil/redis_client.hpp"
#include "vigil/samples.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

/// What to read for one service.
struct StoreReads {
  std::string service;
  std::optional<Freshness> freshness;
  std::map<std::string, StoreMetric> metrics;
};

class StoreSampler {
 public:
  /// The readings of one batch, one per service read, handed back on the loop.
  using Done = std::function<void(std::vector<StoreValues>)>;

  /// Returns nullptr (and sets *err) for a url that cannot be used.
  static std::unique_ptr<StoreSampler> create(boost::asio::io_context& io, const StoreSpec& spec, std::string* err);
  ~StoreSampler();

  /// What to read, per service: at start and after every reload. A batch in flight keeps the
  /// plan it started with.
  void set_plan(std::vector<StoreReads> plan);
  /// Reads for every service of the plan; `done` gets their readings. Returns false when no read
  /// was started (one still running, not connected yet, stopping): `done` is not called then.
  bool sample(Done done);
  /// Reads only the services whose keys were written since the last call (keyspace notifications),
  /// or all of them right after the store (or the subscription) came up.
  /// Returns false when there is nothing to read or a batch is running (it wakes again after).
  bool sample_written(Done done);
  /// `wake` runs on the loop when watched keys were written: answer with sample_written().
  void on_keys_written(std::function<void()> wake) { wake_ = std::move(wake); }
  StoreState state() const;
  /// vigil is stopping: close the connection quietly (the store going away now is not news).
  void stop();

 private:
  StoreSampler(boost::asio::io_context& io, StoreTarget target, Duration timeout);
  using Plan = std::vector<StoreReads>;
  bool read(std::vector<std::size_t> which, Done done);  // indexes into plan_
  void check_keyspace_events();
  void watch();
  void key_written(const std::string& channel);
  void wake_soon();

  boost::asio::io_context& io_;
  StoreTarget target_;
  Duration timeout_;
  std::chrono::steady_clock::time_point created_at_;
  boost::asio::steady_timer startup_timer_;
  bool ever_up_ = false;
  RedisClient client_;
  std::shared_ptr<const Plan> plan_ = std::make_shared<Plan>();
  bool in_flight_ = false;
  bool stopped_ = false;
  // Keyspace notifications.
  bool known_ = false;                     // CONFIG GET answered (or failed) once
  bool server_publishes_ = false;          // the last CONFIG GET said so
  std::chrono::steady_clock::time_point checked_at_{};
  std::unique_ptr<RedisClient> watcher_;   // the subscriber connection, for watched_
  std::vector<std::string> watched_;       // sorted keys the watcher subscribes to
  bool watching_ = false;                  // every subscription confirmed
  std::set<std::string> written_;          // keys written since they were last read
  bool read_all_ = false;                  // (re)connected: every key is as good as written
  std::function<void()> wake_;
  bool wake_posted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for handlers posted to the loop
};

}  // namespace vigil
