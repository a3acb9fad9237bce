// A service's probes on the event loop (service_probes.hpp).
#include "vigil/service_probes.hpp"

#include <boost/asio/post.hpp>

#include "vigil/quantity.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

namespace asio = boost::asio;

struct ServiceProbes::Probe {
  explicit Probe(asio::io_context& io, ProbeSpec s) : spec(std::move(s)), delay(io) {
    view.name = spec.name;
    view.kind = spec.kind;
    view.startup = spec.startup;
  }
  ProbeSpec spec;
  ProbeState state = ProbeState::Off;
  ProbeStreak streak;
  ProbeView view;
  TimePoint last_check_at{};
  bool checked = false;  // a check finished since vigil started
  asio::steady_timer delay;
  std::uint64_t delay_gen = 0;
  PeriodicTimer ticks;
  std::unique_ptr<ProbeCheck> in_flight;
};

ServiceProbes::ServiceProbes(asio::io_context& io, std::string service, std::vector<ProbeSpec> specs,
                             std::chrono::milliseconds default_start_timeout, Hooks hooks)
    : io_(io),
      service_(std::move(service)),
      default_start_timeout_(default_start_timeout),
      hooks_(std::move(hooks)),
      startup_timer_(io) {
  build(std::move(specs));
}

ServiceProbes::~ServiceProbes() {
  for (auto& p : probes_) stop_probe(*p);
}

void ServiceProbes::build(std::vector<ProbeSpec> specs) {
  probes_.clear();
  for (ProbeSpec& s : specs) probes_.push_back(std::make_unique<Probe>(io_, std::move(s)));
}

void ServiceProbes::set_specs(std::vector<ProbeSpec> specs, std::chrono::milliseconds default_start_timeout) {
  default_start_timeout_ = default_start_timeout;
  bool was_running = running_;
  if (was_running) run_ended();
  for (auto& p : probes_) stop_probe(*p);
  build(std::move(specs));
  if (was_running) run_started(env_);
}

void ServiceProbes::stop_probe(Probe& p) {
  p.ticks.stop();
  ++p.delay_gen;
  p.delay.cancel();
  // Destroying the check cancels it: sockets closed, an exec probe's group SIGKILLed (its pidfd
  // watch still reaps it). Its callback never runs.
  p.in_flight.reset();
}

void ServiceProbes::step(Probe& p, ProbeEvent e) {
  ProbeState from = p.state;
  ProbeStep s = transition(p.state, e, p.streak, {p.spec.success_threshold, p.spec.failure_threshold});
  if (s.ignored) return;
  p.state = s.next;
  p.view.state = s.next;
  p.view.failures = p.streak.failures;
  bool verdict_changed = from != s.next && (s.next == ProbeState::Passing || s.next == ProbeState::Failing);
  if (verdict_changed && hooks_.changed) hooks_.changed(p.view, from);
}

void ServiceProbes::run_started(ProbeEnv env) {
  env_ = std::move(env);
  if (running_) run_ended();
  running_ = true;
  ++run_gen_;
  startup_passed_ = true;
  const Probe* startup = nullptr;
  for (auto& p : probes_)
    if (p->spec.startup) {
      startup = p.get();
      startup_passed_ = false;
    }
  for (auto& p : probes_) {
    step(*p, ProbeEvent::RunStarted);
    p->view.failures = 0;
    if (!startup || p->spec.startup) arm(*p, true);
  }
  if (startup) {
    auto limit = startup->spec.start_timeout.count() > 0 ? startup->spec.start_timeout : default_start_timeout_;
    std::uint64_t gen = run_gen_;
    std::string name = startup->spec.name;
    startup_timer_.expires_after(limit);
    startup_timer_.async_wait([this, gen, limit, name](const boost::system::error_code& ec) {
      if (ec || gen != run_gen_ || !running_ || startup_passed_) return;
      if (hooks_.startup_failed)
        hooks_.startup_failed("startup probe " + name + " did not pass within " +
                              format_duration(std::chrono::duration_cast<Duration>(limit)));
    });
  }
}

void ServiceProbes::run_ended() {
  if (!running_) return;
  running_ = false;
  ++run_gen_;
  startup_timer_.cancel();
  for (auto& p : probes_) {
    stop_probe(*p);
    step(*p, ProbeEvent::RunEnded);
  }
}

void ServiceProbes::arm(Probe& p, bool after_delay) {
  auto go = [this, &p] {
    step(p, ProbeEvent::Armed);
    if (p.state != ProbeState::Unknown && p.state != ProbeState::Passing && p.state != ProbeState::Failing) return;
    tick(p);
    p.ticks = every(io_, p.spec.period, [this, &p] { tick(p); });
  };
  if (!after_delay || p.spec.initial_delay.count() <= 0) {
    // Not from inside run_started()'s caller's state change: the first check starts on the next turn.
    std::uint64_t gen = ++p.delay_gen, run = run_gen_;
    asio::post(io_, [this, alive = std::weak_ptr<int>(alive_), &p, gen, run, go] {
      if (alive.expired() || run != run_gen_ || gen != p.delay_gen || !running_) return;
      go();
    });
    return;
  }
  std::uint64_t gen = ++p.delay_gen;
  p.delay.expires_after(p.spec.initial_delay);
  p.delay.async_wait([this, &p, gen, go](const boost::system::error_code& ec) {
    if (ec || gen != p.delay_gen || !running_) return;
    go();
  });
}

void ServiceProbes::tick(Probe& p) {
  if (p.in_flight) return;  // the last check is still running (it has its own timeout): no pile-up
  std::uint64_t gen = run_gen_;
  p.in_flight = ProbeCheck::start(io_, p.spec, env_, [this, &p, gen](ProbeResult r) {
    if (gen != run_gen_) return;
    on_result(p, std::move(r));
  });
}

void ServiceProbes::on_result(Probe& p, ProbeResult r) {
  // The finished check's handle is released after this handler returns, not inside its own callback.
  asio::post(io_, [done = std::move(p.in_flight)] {});
  p.last_check_at = Clock::now();
  p.checked = true;
  p.view.latency = r.latency.count();
  p.view.last_passed = r.passed;
  p.view.http_status = r.http_status;
  p.view.detail = std::move(r.detail);
  ++p.view.checks;
  if (!r.passed) ++p.view.failed_checks;
  bool was_passing = p.state == ProbeState::Passing;
  step(p, r.passed ? ProbeEvent::Passed : ProbeEvent::Failed);
  if (p.spec.startup && !startup_passed_ && !was_passing && p.state == ProbeState::Passing) {
    // As in Kubernetes, a startup probe's job ends when it passes: it stays passing for this run.
    startup_passed_ = true;
    startup_timer_.cancel();
    p.ticks.stop();
    for (auto& other : probes_)
      if (!other->spec.startup) arm(*other, true);
  }
}

int ServiceProbes::in_flight() const {
  int n = 0;
  for (const auto& p : probes_) n += p->in_flight ? 1 : 0;
  return n;
}

void ServiceProbes::fill(ServiceSnapshot& s, TimePoint now) const {
  s.startup_held = holding();
  for (const auto& p : probes_) {
    ProbeView v = p->view;
    if (p->checked) v.last_check_age = to_seconds(now - p->last_check_at);
    s.probes.push_back(std::move(v));
    std::optional<double> verdict;
    if (p->state == ProbeState::Passing) verdict = 1;
    if (p->state == ProbeState::Failing) verdict = 0;
    bool live = running_ && p->state != ProbeState::Off && p->state != ProbeState::Waiting;
    s.custom["probe." + p->spec.name] = verdict;
    s.custom["probe_latency." + p->spec.name] = live && p->view.latency ? p->view.latency : std::nullopt;
    s.custom["probe_failures." + p->spec.name] = live ? std::optional<double>(p->streak.failures) : std::nullopt;
  }
}

}  // namespace vigil
