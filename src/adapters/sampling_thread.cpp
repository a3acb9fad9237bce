#include "vigil/sampling_thread.hpp"

#include <pthread.h>

namespace vigil {

SamplingThread::SamplingThread(std::function<void(std::function<void()>)> post)
    : post_(std::move(post)), thread_([this] { run(); }) {}

SamplingThread::~SamplingThread() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool SamplingThread::submit(Roots roots, std::vector<std::string> cgroups, std::set<pid_t> owned, Done done) {
  {
    std::lock_guard lock(mu_);
    if (busy_ || job_) return false;
    job_ = Job{std::move(roots), std::move(cgroups), std::move(owned), std::move(done)};
  }
  cv_.notify_one();
  return true;
}

void SamplingThread::run() {
  ::pthread_setname_np(::pthread_self(), "vigil-sample");  // for top -H and /proc/PID/task
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      job = std::move(*job_);
      job_.reset();
      busy_ = true;
    }
    std::vector<pid_t> pids;
    for (const auto& r : job.roots) pids.push_back(r.second);
    auto samples = sampler_.sample(pids, job.cgroups, [&](pid_t p) { return job.owned.count(p) > 0; }, std::chrono::steady_clock::now());
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    post_([done = std::move(job.done), roots = std::move(job.roots), samples = std::move(samples)]() mutable {
      done(std::move(roots), std::move(samples));
    });
  }
}

}  // namespace vigil
