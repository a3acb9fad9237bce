#include "vigil/store_sampler.hpp"

#include <chrono>
#include <cstdlib>

#include <boost/asio/post.hpp>

#include "vigil/clock.hpp"
#include "vigil/oplog.hpp"

namespace vigil {

namespace {
// How long a store may take to answer at startup before vigil calls it down.
constexpr auto kStartupGrace = std::chrono::seconds(10);
}  // namespace

std::unique_ptr<StoreSampler> StoreSampler::create(boost::asio::io_context& io, const StoreSpec& spec, std::string* err) {
  const char* pw = std::getenv("VIGIL_REDIS_PASSWORD");
  auto target = parse_store_url(spec.url, pw ? pw : "", err);
  if (!target) return nullptr;
  return std::unique_ptr<StoreSampler>(new StoreSampler(io, *target, spec.timeout));
}

StoreSampler::StoreSampler(boost::asio::io_context& io, StoreTarget target, Duration timeout)
    : io_(io),
      target_(target),
      timeout_(timeout),
      created_at_(std::chrono::steady_clock::now()),
      startup_timer_(io),
      client_(io, target, timeout, [this, display = target.display](bool up, const std::string& why) {
        if (!up && !ever_up_ && std::chrono::steady_clock::now() - created_at_ < kStartupGrace) {
          // Often the store is a service vigil itself has just started: not news yet.
          oplog::info("store " + display + " is not answering yet (" + why + "); retrying");
          startup_timer_.expires_at(created_at_ + kStartupGrace);
          startup_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !stopped_ && !client_.up()) oplog::store_changed(target_.display, false, client_.last_error());
          });
          return;
        }
        if (up) startup_timer_.cancel();
        oplog::store_changed(display, up, why);
        if (!up) return;
        ever_up_ = true;
        check_keyspace_events();  // a restarted server may have another setting
        // Read everything now, not at the next sample: it may be a minute away.
        read_all_ = true;
        wake_soon();
      }) {
  client_.start();
}

StoreSampler::~StoreSampler() { *alive_ = false; }

void StoreSampler::stop() {
  stopped_ = true;
  watcher_.reset();
  client_.close();
}

void StoreSampler::check_keyspace_events() {
  checked_at_ = std::chrono::steady_clock::now();
  client_.batch({{"CONFIG", "GET", "notify-keyspace-events"}},
                [this](std::optional<std::vector<RedisValue>> replies, const std::string&) {
                  if (!replies || replies->size() != 1) return;  // connection lost: asked again on reconnect
                  const RedisValue& r = (*replies)[0];
                  // CONFIG may be refused (renamed or forbidden on managed servers): then notifications are off.
                  std::string setting = r.type == RedisValue::Type::Error ? "unknown: " + r.str
                                        : r.type == RedisValue::Type::Array && r.elements.size() == 2
                                            ? "\"" + r.elements[1].str + "\""
                                            : "unknown";
                  bool publishes = r.type == RedisValue::Type::Array && r.elements.size() == 2 &&
                                   keyspace_events_usable(r.elements[1].str);
                  if (!known_ || publishes != server_publishes_) {
                    if (publishes)
                      oplog::info("store " + target_.display + " publishes keyspace notifications (notify-keyspace-events = " +
                                  setting + "): writes to watched keys are read at once");
                    else
                      oplog::info("store " + target_.display + " does not publish keyspace notifications (notify-keyspace-events = " +
                                  setting + "): data_age is read every sample_interval; set it to \"K$ht\" to see writes at once");
                  }
                  known_ = true;
                  server_publishes_ = publishes;
                  if (!publishes) {
                    watcher_.reset();
                    watched_.clear();
                    watching_ = false;
                  } else if (!watcher_) {
                    // The next read knows the keys and subscribes to them (after the batch in flight, if any).
                    read_all_ = true;
                    wake_soon();
                  }
                });
}

void StoreSampler::set_plan(std::vector<StoreReads> plan) { plan_ = std::make_shared<const Plan>(std::move(plan)); }

// Subscribes to the keys the plan reads, on a connection of its own (a subscribed connection
// can carry nothing else); again whenever the set of keys changes (a reload).
void StoreSampler::watch() {
  if (!server_publishes_) return;
  std::set<std::string> keys;
  for (const StoreReads& r : *plan_) {
    if (r.freshness) keys.insert(r.freshness->key);
    for (const auto& [name, m] : r.metrics) keys.insert(m.key);
  }
  std::vector<std::string> wanted(keys.begin(), keys.end());
  if (watcher_ && wanted == watched_) return;
  watched_ = wanted;
  watching_ = false;
  watcher_.reset();
  if (wanted.empty()) return;
  std::vector<std::string> channels;
  for (const auto& k : wanted) channels.push_back(keyspace_channel(target_.db, k));
  watcher_ = std::make_unique<RedisClient>(io_, target_, timeout_, [this](bool up, const std::string& why) {
    if (!up) {
      watching_ = false;  // writes are seen at the next sample again until it is back
      oplog::debug("store " + target_.display + ": keyspace subscription lost: " + why);
    }
  });
  watcher_->subscribe(
      std::move(channels), [this](const std::string& channel) { key_written(channel); },
      [this] {
        watching_ = true;
        read_all_ = true;  // writes made while not subscribed were not heard
        wake_soon();
        oplog::debug("store " + target_.display + ": watching " + std::to_string(watched_.size()) + " keys");
      });
  watcher_->start();
}

void StoreSampler::key_written(const std::string& channel) {
  auto key = key_of_keyspace_channel(target_.db, channel);
  if (!key) return;
  written_.insert(*key);
  wake_soon();
}

void StoreSampler::wake_soon() {
  // One wake-up for a burst of writes; a batch in flight wakes us when it ends.
  if (!wake_ || wake_posted_ || in_flight_) return;
  wake_posted_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    wake_posted_ = false;
    if (!stopped_ && wake_) wake_();
  });
}

StoreState StoreSampler::state() const {
  StoreState s;
  s.configured = true;
  if (stopped_) {
    s.error = "vigil is stopping";
    return s;
  }
  s.up = client_.up();
  if (!client_.state_known()) s.error = "connecting";
  else if (!s.up) s.error = client_.last_error();
  s.keyspace_events = s.up && watching_;
  return s;
}

bool StoreSampler::sample(Done done) {
  // A batch still waiting (its deadline is longer than the sample interval): keep the last values.
  // The first connection attempt still running: nothing is known yet, so claim nothing.
  if (stopped_ || in_flight_ || !client_.state_known()) return false;
  // An operator may turn notifications on (or off) at runtime: ask again now and then.
  if (client_.up() && std::chrono::steady_clock::now() - checked_at_ > std::chrono::minutes(1)) check_keyspace_events();
  watch();
  written_.clear();  // this batch reads every key
  read_all_ = false;
  std::vector<std::size_t> all(plan_->size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return read(std::move(all), std::move(done));
}

bool StoreSampler::sample_written(Done done) {
  if (stopped_ || in_flight_ || !client_.up()) return false;
  // Subscribe here only the first time (notifications just turned on); a changed set of keys
  // (a reload) is picked up by the next full sample, not on every write.
  if (!watcher_) watch();
  if (written_.empty() && !read_all_) return false;
  std::vector<std::size_t> touched;
  for (std::size_t i = 0; i < plan_->size(); ++i) {
    const StoreReads& r = (*plan_)[i];
    bool hit = r.freshness && (read_all_ || written_.count(r.freshness->key));
    for (const auto& [name, m] : r.metrics) hit = hit || read_all_ || written_.count(m.key);
    if (hit) touched.push_back(i);
  }
  written_.clear();
  read_all_ = false;
  if (touched.empty()) return false;
  return read(std::move(touched), std::move(done));
}

bool StoreSampler::read(std::vector<std::size_t> which, Done done) {
  // One entry per command: which service of `which`, and which metric ("" = freshness).
  struct Ask {
    std::size_t at;
    std::string metric;
  };
  std::vector<Ask> asks;
  std::vector<Command> commands;
  const Plan& plan = *plan_;
  for (std::size_t k = 0; k < which.size(); ++k) {
    const StoreReads& r = plan[which[k]];
    if (r.freshness) {
      asks.push_back({k, ""});
      commands.push_back(freshness_command(*r.freshness));
    }
    for (const auto& [name, m] : r.metrics) {
      asks.push_back({k, name});
      commands.push_back(metric_command(m));
    }
  }
  if (commands.empty()) commands.push_back({"PING"});  // nothing to read: still know store_up

  in_flight_ = true;
  // The batch keeps the plan it was built from: a reload meanwhile cannot pull specs from under it.
  client_.batch(std::move(commands), [this, asks = std::move(asks), which = std::move(which), plan = plan_,
                                      done = std::move(done)](std::optional<std::vector<RedisValue>> replies,
                                                             const std::string& error) {
    in_flight_ = false;
    double now = unix_now();
    std::vector<StoreValues> out(which.size());
    for (std::size_t k = 0; k < which.size(); ++k) out[k].service = (*plan)[which[k]].service;
    if (!replies) {
      for (StoreValues& v : out) v.error = "store unavailable: " + error;
    } else {
      for (std::size_t i = 0; i < asks.size(); ++i) {
        const Ask& a = asks[i];
        const StoreReads& r = (*plan)[which[a.at]];
        StoreValues& v = out[a.at];
        StoreReading reading = a.metric.empty() ? interpret_freshness(*r.freshness, (*replies)[i], now)
                                                : interpret_metric(r.metrics.at(a.metric), (*replies)[i]);
        if (a.metric.empty() && reading.value) v.data_ts = now - *reading.value;  // back to the timestamp itself
        else if (!a.metric.empty()) v.custom[a.metric] = reading.value;
        if (!reading.error.empty() && v.error.empty()) v.error = reading.error;
      }
    }
    done(std::move(out));
    if (!written_.empty() || read_all_) wake_soon();  // written while this batch was out
  });
  return true;
}

}  // namespace vigil
