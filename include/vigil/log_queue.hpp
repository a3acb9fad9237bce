#pragma once
// One service's bounded queue of formatted log chunks between the event loop (producer) and the
// writer thread (consumer). It decides the overflow policy; it never blocks the producer.
//   block: when more than `high_water` bytes wait, push says Paused: the pump stops reading the
//          child's pipe (the child then blocks on write: no line is lost). Once the writer has
//          taken the queued chunks, take() says the pump may resume.
//   drop:  a chunk that does not fit is dropped and its lines counted; the writer gets a marker
//          line with the count once space returns.
// Thread-safe: every member locks.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace vigil {

enum class OverflowPolicy { Block, Drop };

class LogQueue {
 public:
  enum class PushResult { Queued, Paused, Dropped };

  LogQueue(OverflowPolicy policy, std::size_t high_water) : policy_(policy), high_water_(high_water) {}

  /// Producer side. `lines` is the number of lines in `chunk`, for drop accounting.
  PushResult push(std::string&& chunk, std::size_t lines);

  struct Taken {
    std::deque<std::string> chunks;
    std::uint64_t dropped_lines = 0;  // lines dropped since the last take (drop policy)
    bool resume = false;              // block policy: the producer paused and may now read again
  };
  /// Consumer side: takes everything queued.
  Taken take();

  std::size_t queued_bytes() const;
  std::uint64_t total_dropped() const;

 private:
  mutable std::mutex mu_;
  OverflowPolicy policy_;
  std::size_t high_water_;
  std::deque<std::string> chunks_;
  std::size_t bytes_ = 0;
  bool paused_ = false;
  std::uint64_t dropped_since_take_ = 0;
  std::uint64_t dropped_total_ = 0;
};

}  // namespace vigil
