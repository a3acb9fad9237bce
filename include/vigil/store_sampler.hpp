#pragma once
// Reads every service's freshness timestamp and store metrics in one pipelined batch per sample,
// and keeps `store_up`. A dead, refused or hung store costs one failed batch per sample (bounded by
// [store] timeout) and turns the store metrics into "no value"; supervision is never affected.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/config.hpp"
#include "vigil/redis_client.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

class Service;

class StoreSampler {
 public:
  /// Returns nullptr (and sets *err) for a url that cannot be used.
  static std::unique_ptr<StoreSampler> create(boost::asio::io_context& io, const StoreSpec& spec, std::string* err);

  /// Reads for `services`; calls `done` once their store values are updated. Returns false when no
  /// read was started (one still running, not connected yet, stopping): `done` is not called then.
  bool sample(const std::vector<Service*>& services, std::function<void()> done);
  StoreState state() const;
  /// vigil is stopping: close the connection quietly (the store going away now is not news).
  void stop();

 private:
  StoreSampler(boost::asio::io_context& io, StoreTarget target, Duration timeout);
  RedisClient client_;
  bool in_flight_ = false;
  bool stopped_ = false;
};

}  // namespace vigil
