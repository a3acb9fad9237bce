#pragma once
// One way to run something every so often on the event loop: `every(io, period, fn)`. The returned
// handle owns the repetition: destroying it (or stop()) ends it, and no call of `fn` comes after
// that, even one whose timer had already expired. Nothing re-arms a timer by hand.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace vigil {

class PeriodicTimer {
 public:
  PeriodicTimer() = default;
  PeriodicTimer(PeriodicTimer&& other) noexcept = default;
  PeriodicTimer& operator=(PeriodicTimer&& other) noexcept;
  ~PeriodicTimer() { stop(); }

  /// No further calls. Safe from inside the function itself.
  void stop();
  bool active() const { return state_ != nullptr; }
  /// From the next wait on (a reload changed sample_interval).
  void set_period(std::chrono::steady_clock::duration period);

  struct State;

 private:
  friend PeriodicTimer every(boost::asio::io_context&, std::chrono::steady_clock::duration, std::function<void()>);
  std::shared_ptr<State> state_;
};

/// Calls `fn` on the loop one `period` from now, and again one `period` after each call returns.
[[nodiscard]] PeriodicTimer every(boost::asio::io_context& io, std::chrono::steady_clock::duration period,
                                  std::function<void()> fn);

}  // namespace vigil
