#pragma once
// What sampling last found for each service: the /proc reading of its process tree and what the
// store said. The samplers return readings (ProcSampler a TreeSample per root, StoreSampler a
// StoreValues per service); the Supervisor keeps them here by service name, and the snapshot reads
// them. A Service holds no samples, and no sampler holds a Service. Pure.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace vigil {

struct ServiceSnapshot;

/// One /proc pass over one service's tree.
struct TreeSample {
  std::optional<double> cpu;  // percent of one core; empty on the first sample of a run
  std::uint64_t memory = 0;   // RSS bytes
  std::int64_t threads = 0;
  std::int64_t fds = 0;
  int processes = 0;
  double cpu_seconds = 0;     // CPU time this pass saw spent since the previous pass (all of it for new processes)
};

/// One store read for one service.
struct StoreValues {
  std::string service;
  std::optional<double> data_ts;                        // the freshness timestamp read (unix seconds)
  std::map<std::string, std::optional<double>> custom;  // the service's store `metrics`
  std::string error;                                    // why data_age / custom have no value
};

class SampleTable {
 public:
  /// The /proc reading of the tree under `root` (the service's main pid when the pass began).
  void set_proc(const std::string& service, pid_t root, const TreeSample& sample);
  void set_store(StoreValues values);
  /// The service is gone (a reload removed it): its samples go too.
  void forget(const std::string& service);
  /// Fills the sampled metrics of `s` (already filled by its Service): cpu, memory, threads and fds
  /// when the reading is of its current main process, data_age (exact at `unix_now`), the custom
  /// metrics it declares, store_error. While the store is down (`store_down`: why), what an
  /// earlier read found is not known now: data_age and the custom metrics stay without a value, as
  /// after a failed read (the live status must not show a store down beside a fresh data_age).
  void fill(ServiceSnapshot& s, double unix_now, const std::string* store_down = nullptr) const;
  std::size_t size() const { return by_service_.size(); }

 private:
  struct Samples {
    pid_t proc_root = 0;
    TreeSample proc;
    double cpu_seconds_total = 0;  // summed over passes: a counter across runs
    std::optional<double> data_ts;
    std::map<std::string, std::optional<double>> custom;
    std::string store_error;
  };
  std::unordered_map<std::string, Samples> by_service_;
};

}  // namespace vigil
