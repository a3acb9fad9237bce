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

/// Calls `fn` on the loop one `period` from now and then every `period` (a call that ran past the
/// next one's time skips ahead). Times fall on a grid of 1/16 of the period, at most 50 ms, so that
/// timers due close together (a hundred probes every second) share one wake-up of the loop.
[[nodiscard]] PeriodicTimer every(boost::asio::io_context& io, std::chrono::steady_clock::duration period,
                                  std::function<void()> fn);

/// When the call after one due at `last` is due (`last` zero: the first). Pure, for the tests.
std::chrono::steady_clock::time_point next_periodic_expiry(std::chrono::steady_clock::time_point last,
                                                           std::chrono::steady_clock::time_point now,
                                                           std::chrono::steady_clock::duration period);

}  // namespace vigil
