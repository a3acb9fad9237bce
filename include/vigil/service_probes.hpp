#pragma once
// The probes of one service at runtime, owned by its Service. Each probe follows probe_state's
// transition table; its checks run through ProbeCheck (never blocking the loop: HTTP and TCP are
// asynchronous sockets, exec children are watched through their pidfd), one `every(period)` timer
// per probe, at most one check of a probe in flight (a tick that finds the last check still
// running is skipped, so a slow target cannot pile checks up), and a probe's checks never wait for
// another probe's.
//
// A startup probe (startup = true) holds the others until it first passes in the run; if it has
// not passed within its start_timeout the host is told (a failed start).
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/clock.hpp"
#include "vigil/periodic.hpp"
#include "vigil/probe_check.hpp"
#include "vigil/probe_state.hpp"

namespace vigil {

struct ServiceSnapshot;

class ServiceProbes {
 public:
  struct Hooks {
    /// A probe's verdict changed (e.g. unknown → passing, passing → failing); `view` is after.
    std::function<void(const ProbeView& view, ProbeState from)> changed;
    /// The startup probe did not pass within its start_timeout: the start failed.
    std::function<void(const std::string& reason)> startup_failed;
  };

  ServiceProbes(boost::asio::io_context& io, std::string service, std::vector<ProbeSpec> specs,
                std::chrono::milliseconds default_start_timeout, Hooks hooks);
  ~ServiceProbes();
  ServiceProbes(const ServiceProbes&) = delete;
  ServiceProbes& operator=(const ServiceProbes&) = delete;

  /// A reload changed the probes: the new set replaces the old one; a running set starts again.
  void set_specs(std::vector<ProbeSpec> specs, std::chrono::milliseconds default_start_timeout);
  /// The service's process was spawned: every probe starts its run (initial delay, or held).
  void run_started(ProbeEnv env);
  /// The run is over (stopping, exited): checks in flight are cancelled (exec groups killed and
  /// reaped), timers stopped, verdicts go back to off.
  void run_ended();

  bool empty() const { return probes_.empty(); }
  /// A startup probe has not passed yet in this run.
  bool holding() const { return running_ && !startup_passed_; }
  /// Probe views, and the probe metrics under ServiceSnapshot::custom.
  void fill(ServiceSnapshot& s, TimePoint now) const;
  /// The checks in flight right now (tests and status).
  int in_flight() const;

 private:
  struct Probe;
  void arm(Probe& p, bool after_delay);
  void tick(Probe& p);
  void on_result(Probe& p, ProbeResult r);
  void step(Probe& p, ProbeEvent e);
  void stop_probe(Probe& p);
  void build(std::vector<ProbeSpec> specs);

  boost::asio::io_context& io_;
  std::string service_;
  std::chrono::milliseconds default_start_timeout_;
  Hooks hooks_;
  std::vector<std::unique_ptr<Probe>> probes_;
  ProbeEnv env_;
  bool running_ = false;
  bool startup_passed_ = true;
  boost::asio::steady_timer startup_timer_;
  std::uint64_t run_gen_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted handlers check it is still there
};

}  // namespace vigil
