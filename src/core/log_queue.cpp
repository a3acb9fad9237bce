#include "vigil/log_queue.hpp"

namespace vigil {

LogQueue::PushResult LogQueue::push(std::string&& chunk, std::size_t lines) {
  std::lock_guard lock(mu_);
  if (policy_ == OverflowPolicy::Drop && bytes_ + chunk.size() > high_water_ && bytes_ > 0) {
    dropped_since_take_ += lines;
    dropped_total_ += lines;
    return PushResult::Dropped;
  }
  bytes_ += chunk.size();
  chunks_.push_back(std::move(chunk));
  if (policy_ == OverflowPolicy::Block && bytes_ > high_water_) {
    paused_ = true;
    return PushResult::Paused;
  }
  return PushResult::Queued;
}

LogQueue::Taken LogQueue::take() {
  std::lock_guard lock(mu_);
  Taken t;
  t.chunks.swap(chunks_);
  bytes_ = 0;
  t.dropped_lines = dropped_since_take_;
  dropped_since_take_ = 0;
  // Everything queued is now the writer's; the producer may fill the queue again while it writes,
  // so at most two high-water marks per service are in memory.
  if (paused_) {
    paused_ = false;
    t.resume = true;
  }
  return t;
}

std::size_t LogQueue::queued_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::uint64_t LogQueue::total_dropped() const {
  std::lock_guard lock(mu_);
  return dropped_total_;
}

}  // namespace vigil
