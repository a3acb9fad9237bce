#include "vigil/periodic.hpp"

#include <boost/asio/steady_timer.hpp>

namespace vigil {

struct PeriodicTimer::State {
  boost::asio::steady_timer timer;
  std::chrono::steady_clock::duration period;
  std::function<void()> fn;
  bool stopped = false;
  State(boost::asio::io_context& io, std::chrono::steady_clock::duration p, std::function<void()> f)
      : timer(io), period(p), fn(std::move(f)) {}
};

namespace {

void arm(const std::shared_ptr<PeriodicTimer::State>& s) {
  s->timer.expires_after(s->period);
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
