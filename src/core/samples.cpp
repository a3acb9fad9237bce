#include "vigil/samples.hpp"

#include <algorithm>

#include "vigil/snapshot.hpp"

namespace vigil {

void SampleTable::set_proc(const std::string& service, pid_t root, const TreeSample& sample) {
  Samples& s = by_service_[service];
  s.proc_root = root;
  s.proc = sample;
  s.cpu_seconds_total += sample.cpu_seconds;
}

void SampleTable::set_store(StoreValues values) {
  Samples& s = by_service_[values.service];
  s.data_ts = values.data_ts;
  s.custom = std::move(values.custom);
  s.store_error = std::move(values.error);
}

void SampleTable::forget(const std::string& service) { by_service_.erase(service); }

void SampleTable::fill(ServiceSnapshot& snap, double unix_now, const std::string* store_down) const {
  auto it = by_service_.find(snap.name);
  if (it == by_service_.end()) return;
  const Samples& s = it->second;
  snap.cpu_seconds_total = s.cpu_seconds_total;
  // A reading of an earlier run (another main pid) says nothing about this one.
  bool live = has_processes(snap.state) && snap.pid > 0;
  if (live && snap.pid == s.proc_root && s.proc.processes > 0) {
    snap.cpu = s.proc.cpu;
    snap.memory = static_cast<double>(s.proc.memory);
    snap.threads = static_cast<double>(s.proc.threads);
    snap.fds = static_cast<double>(s.proc.fds);
  }
  if (store_down && (s.data_ts || !s.custom.empty())) {
    snap.store_error = "store unavailable: " + *store_down;  // as the next read will say
    return;
  }
  snap.data_timestamp = s.data_ts;
  if (s.data_ts) snap.data_age = std::max(0.0, unix_now - *s.data_ts);  // a writer's clock slightly ahead reads as fresh
  for (auto& [name, value] : snap.custom)
    if (auto c = s.custom.find(name); c != s.custom.end()) value = c->second;
  snap.store_error = s.store_error;
}

}  // namespace vigil
