#pragma once
// Chunk buffers the log writer thread hands back for the event loop to fill again.
// Without it every 64 KiB read of a child's output allocated a fresh ~100 KiB string that the
// writer thread then freed: glibc gave the heap top back to the kernel and the next chunk faulted
// its pages in again, a third of the log path's CPU at full speed. Bounded in count and in each
// buffer's size, so a burst of long lines does not keep its memory forever.
// Thread-safe.
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace vigil {

class BufferPool {
 public:
  BufferPool(std::size_t max_buffers, std::size_t max_capacity) : max_buffers_(max_buffers), max_capacity_(max_capacity) {}

  /// An empty string, with the capacity of a buffer given back earlier when there is one.
  std::string take() {
    std::lock_guard lock(mu_);
    if (spare_.empty()) return {};
    std::string s = std::move(spare_.back());
    spare_.pop_back();
    return s;
  }

  /// Keeps `s`'s memory for a later take(), unless the pool is full or `s` is oversized.
  void give(std::string&& s) {
    if (s.capacity() > max_capacity_) return;
    s.clear();
    std::lock_guard lock(mu_);
    if (spare_.size() < max_buffers_) spare_.push_back(std::move(s));
  }

 private:
  std::mutex mu_;
  std::size_t max_buffers_;
  std::size_t max_capacity_;
  std::vector<std::string> spare_;
};

}  // namespace vigil
