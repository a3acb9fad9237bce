#pragma once
// One probe's lifecycle, as Kubernetes defines it: an initial delay, then a check every period;
// `failure_threshold` consecutive failures make it failing, `success_threshold` consecutive passes
// make it passing. Until either threshold is first reached the probe has no verdict ("unknown"),
// which rules see as no value. Pure: one state enum, one event enum, one transition function with
// every pair decided (no `default`, so -Wswitch-enum catches a new state or event).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/probe_spec.hpp"

namespace vigil {

enum class ProbeState {
  Off,      // the service has no live process (stopped, backoff, failed): nothing is checked
  Waiting,  // the run started; waiting `initial_delay` (or, held by a startup probe, for it to pass)
  Unknown,  // checking, but no threshold reached yet
  Passing,
  Failing,
};

enum class ProbeEvent {
  RunStarted,  // the service's process was spawned (a new run: counters start again)
  RunEnded,    // the run is over (exited, stopping)
  Armed,       // the initial delay elapsed and no startup probe holds this one
  Passed,      // one check passed
  Failed,      // one check failed (error, timeout, wrong status, no match)
};

struct ProbeThresholds {
  int success = 1;
  int failure = 3;
};

/// Consecutive results of the current run.
struct ProbeStreak {
  int passes = 0;
  int failures = 0;
};

struct ProbeStep {
  ProbeState next;
  bool check = false;    // a check must be scheduled (now entering the checking states, or the next period)
  bool ignored = false;  // the event means nothing in this state (a late result of a finished run)
};

ProbeStep transition(ProbeState state, ProbeEvent event, ProbeStreak& streak, ProbeThresholds thresholds);

std::string_view to_string(ProbeState s);

/// What status, rules and the dashboard see of one probe.
struct ProbeView {
  std::string name;
  ProbeKind kind = ProbeKind::Http;
  ProbeState state = ProbeState::Off;
  bool startup = false;
  int failures = 0;                        // consecutive failed checks
  std::optional<double> latency;           // seconds, of the last check
  std::optional<bool> last_passed;         // the last check's own result (before thresholds)
  int http_status = 0;
  std::string detail;                      // first 4 KiB of output / body / error of the last check
  std::optional<double> last_check_age;    // seconds since the last check finished
  std::uint64_t checks = 0, failed_checks = 0;  // since vigil started
};


}  // namespace vigil
