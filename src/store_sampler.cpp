#include "vigil/store_sampler.hpp"

#include <chrono>
#include <cstdlib>

#include "vigil/oplog.hpp"
#include "vigil/service.hpp"

namespace vigil {

std::unique_ptr<StoreSampler> StoreSampler::create(boost::asio::io_context& io, const StoreSpec& spec, std::string* err) {
  const char* pw = std::getenv("VIGIL_REDIS_PASSWORD");
  auto target = parse_store_url(spec.url, pw ? pw : "", err);
  if (!target) return nullptr;
  return std::unique_ptr<StoreSampler>(new StoreSampler(io, *target, spec.timeout));
}

StoreSampler::StoreSampler(boost::asio::io_context& io, StoreTarget target, Duration timeout)
    : client_(io, target, timeout, [display = target.display](bool up, const std::string& why) {
        oplog::store_changed(display, up, why);
      }) {
  client_.start();
}

void StoreSampler::stop() {
  stopped_ = true;
  client_.close();
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
  return s;
}

bool StoreSampler::sample(const std::vector<Service*>& services, std::function<void()> done) {
  // A batch still waiting (its deadline is longer than the sample interval): keep the last values.
  // The first connection attempt still running: nothing is known yet, so claim nothing.
  if (stopped_ || in_flight_ || !client_.state_known()) return false;

  // One entry per command: which service, and which metric ("" = freshness).
  struct Ask {
    Service* svc;
    std::string metric;
  };
  std::vector<Ask> asks;
  std::vector<Command> commands;
  for (Service* s : services) {
    if (s->spec().freshness) {
      asks.push_back({s, ""});
      commands.push_back(freshness_command(*s->spec().freshness));
    }
    for (const auto& [name, m] : s->spec().metrics) {
      asks.push_back({s, name});
      commands.push_back(metric_command(m));
    }
  }
  if (commands.empty()) commands.push_back({"PING"});  // nothing to read: still know store_up

  in_flight_ = true;
  client_.batch(std::move(commands), [this, asks, services, done = std::move(done)](
                                         std::optional<std::vector<RedisValue>> replies, const std::string& error) {
    in_flight_ = false;
    double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    // Gather per service, then hand each its values at once.
    struct Values {
      std::optional<double> data_ts;
      std::map<std::string, std::optional<double>> custom;
      std::string error;
    };
    std::map<Service*, Values> out;
    for (Service* s : services) out[s];
    if (!replies) {
      for (auto& [svc, v] : out) v.error = "store unavailable: " + error;
    } else {
      for (std::size_t i = 0; i < asks.size(); ++i) {
        const Ask& a = asks[i];
        Values& v = out[a.svc];
        StoreReading r = a.metric.empty() ? interpret_freshness(*a.svc->spec().freshness, (*replies)[i], now)
                                          : interpret_metric(a.svc->spec().metrics.at(a.metric), (*replies)[i]);
        if (a.metric.empty() && r.value) v.data_ts = now - *r.value;  // back to the timestamp itself
        else v.custom[a.metric] = r.value;
        if (!r.error.empty() && v.error.empty()) v.error = r.error;
      }
    }
    for (auto& [svc, v] : out) svc->set_store_values(v.data_ts, std::move(v.custom), std::move(v.error));
    done();
  });
  return true;
}

}  // namespace vigil
