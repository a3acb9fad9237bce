#pragma once
// Runs ProcSampler passes off the event loop: at 1,000 services a /proc walk takes ~30 ms, which
// must not stall supervision. The loop submits (service, pid) pairs and the set of pids vigil
// spawned itself; the result comes back to the loop through `post`. A pass still running when the
// next is due makes submit() return false (that sample is skipped, the previous values stay).
#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vigil/proc_sampler.hpp"

namespace vigil {

class SamplingThread {
 public:
  using Roots = std::vector<std::pair<std::string, pid_t>>;  // service name, main pid (0: none)
  using Done = std::function<void(Roots, std::vector<TreeSample>)>;
  /// `post` hands a finished pass back to the loop (e.g. asio::post).
  explicit SamplingThread(std::function<void(std::function<void()>)> post);
  ~SamplingThread();
  SamplingThread(const SamplingThread&) = delete;
  SamplingThread& operator=(const SamplingThread&) = delete;

  /// `cgroups[i]`: root i's cgroup directory, "" for none (ProcSampler::sample).
  bool submit(Roots roots, std::vector<std::string> cgroups, std::set<pid_t> owned, Done done);

 private:
  struct Job {
    Roots roots;
    std::vector<std::string> cgroups;
    std::set<pid_t> owned;
    Done done;
  };
  void run();

  std::function<void(std::function<void()>)> post_;
  ProcSampler sampler_;  // only the worker touches it
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> job_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace vigil
