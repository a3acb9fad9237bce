#include "vigil/periodic.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace vigil {

struct PeriodicTimer::State {
  boost::asio::steady_timer timer;
  std::chrono::steady_clock::duration period;
  std::function<void()> fn;
  bool stopped = false;
  State(boost::asio::io_context& io, std::chrono::steady_clock::duration p, std::function<void()> f)
      : timer(io), period(p), fn(std::move(f)) {}
};

// Timers due within a few milliseconds of each other (a hundred probes every second, started one
// after the other) each woke the loop on their own, and a wake-up costs more than the work of most
// of them: on a grid, those due close together share one. A fixed rate (a call every period, not
// a period after each call) keeps a repetition from drifting by the time its work takes.
std::chrono::steady_clock::time_point next_periodic_expiry(std::chrono::steady_clock::time_point last,
                                                           std::chrono::steady_clock::time_point now,
                                                           std::chrono::steady_clock::duration period) {
  using namespace std::chrono;
  auto next = last + period;
  if (last == steady_clock::time_point{} || next <= now) next = now + period;  // the first, or it ran late
  steady_clock::duration grid = std::min<steady_clock::duration>(period / 16, milliseconds(50));
  if (grid <= steady_clock::duration::zero()) return next;
  auto over = next.time_since_epoch() % grid;
  return over == steady_clock::duration::zero() ? next : next + (grid - over);
}

namespace {

void arm(const std::shared_ptr<PeriodicTimer::State>& s) {
  s->timer.expires_at(next_periodic_expiry(s->timer.expiry(), std::chrono::steady_clock::now(), s->period));
  // The handler holds the state: a handle destroyed meanwhile leaves it stopped, not dangling.
  s->timer.async_wait([s](const boost::system::error_code& ec) {
    if (ec || s->stopped) return;
    s->fn();
    if (!s->stopped) arm(s);
  });
}

}  // namespace

PeriodicTimer& PeriodicTimer::operator=(PeriodicTimer&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
  }
  return *this;
}

void PeriodicTimer::stop() {
  if (!state_) return;
  state_->stopped = true;
  state_->timer.cancel();
  state_.reset();
}

void PeriodicTimer::set_period(std::chrono::steady_clock::duration period) {
  if (state_) state_->period = period;
}

PeriodicTimer every(boost::asio::io_context& io, std::chrono::steady_clock::duration period, std::function<void()> fn) {
  PeriodicTimer t;
  t.state_ = std::make_shared<PeriodicTimer::State>(io, period, std::move(fn));
  arm(t.state_);
  return t;
}

}  // namespace vigil
