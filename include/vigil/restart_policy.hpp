#pragma once
// Restart arithmetic: what to do after a service's processes are gone. Pure: time is a parameter.
//
// Backoff: the n-th consecutive automatic restart waits restart_delay * 2^(n-1), capped at
// backoff_max; a run that lasted stable_after or longer resets n. Start limit: more than
// start_limit_burst starts within start_limit_interval means "give up" (state failed) instead of
// starting again; after failed_retry the budget is renewed and vigil tries again.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "vigil/clock.hpp"
#include "vigil/exit_status.hpp"
#include "vigil/quantity.hpp"

namespace vigil {

enum class RestartMode { Always, OnFailure, Never };

struct RestartPolicy {
  RestartMode mode = RestartMode::Always;
  Duration restart_delay = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::seconds(60);
  Duration stable_after = std::chrono::seconds(30);
  int start_limit_burst = 5;
  Duration start_limit_interval = std::chrono::seconds(60);
  std::optional<Duration> failed_retry = std::chrono::minutes(10);  // nullopt = "never"
  std::vector<int> prevent_exit_codes;
};

/// Why the service's processes ended; decided by whoever asked them to end (or nobody: a crash).
enum class EndCause {
  OnItsOwn,         // the process exited or died without being asked
  StopRequested,    // operator stop or vigil shutdown: stay down
  RestartRequested, // operator restart: start again at once
  Fault,            // vigil ended it for a failure (start timeout, watchdog, rule action): policy applies
};

enum class Verdict {
  RestartNow,    // start again immediately (operator restart)
  RestartLater,  // wait `delay` in backoff, then start
  StayDown,      // stopped: policy says no restart, or an operator stopped it
  GiveUp,        // start limit hit: state failed, retry after failed_retry
};

struct Decision {
  Verdict verdict = Verdict::StayDown;
  Duration delay{0};         // for RestartLater
  std::string reason;        // for the operator log: "restart = never", "exit code 78 prevents restart", ...
  int attempt = 0;           // the start this would be within the limit window (1-based)
};

/// Per-service restart memory: start times inside the limit window and consecutive failures.
class RestartTracker {
 public:
  /// A process was started at `now`.
  void record_start(TimePoint now);

  /// Decides what follows an end. `exit` is empty when the start failed before a process existed
  /// (program missing, bad cwd); that always counts as a failure.
  Decision decide(const RestartPolicy& policy, EndCause cause, const ExitStatus* exit, TimePoint started,
                  TimePoint now);

  /// Starts within the window ending at `now` (for "attempt N of M").
  int starts_in_window(const RestartPolicy& policy, TimePoint now);

  /// Operator start of a failed service, or failed_retry elapsed: a fresh start budget.
  void reset_limit() { starts_.clear(); }

  int consecutive_failures() const { return consecutive_; }

 private:
  void prune(const RestartPolicy& policy, TimePoint now);
  std::deque<TimePoint> starts_;
  int consecutive_ = 0;
};

/// restart_delay * 2^(n-1) capped at backoff_max, for the n-th consecutive restart (n >= 1).
Duration backoff_delay(const RestartPolicy& policy, int n);

}  // namespace vigil
