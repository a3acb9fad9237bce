#include "vigil/restart_policy.hpp"

#include <algorithm>

namespace vigil {

Duration backoff_delay(const RestartPolicy& policy, int n) {
  if (n < 1) n = 1;
  std::int64_t base = policy.restart_delay.count();
  std::int64_t cap = std::max(policy.backoff_max.count(), base);
  std::int64_t d = base;
  for (int i = 1; i < n && d < cap; ++i) d *= 2;
  return Duration(std::min(d, cap));
}

void RestartTracker::record_start(TimePoint now) { starts_.push_back(now); }

void RestartTracker::prune(const RestartPolicy& policy, TimePoint now) {
  while (!starts_.empty() && now - starts_.front() > policy.start_limit_interval) starts_.pop_front();
}

int RestartTracker::starts_in_window(const RestartPolicy& policy, TimePoint now) {
  prune(policy, now);
  return static_cast<int>(starts_.size());
}

Decision RestartTracker::decide(const RestartPolicy& policy, EndCause cause, const ExitStatus* exit,
                                TimePoint started, TimePoint now) {
  Decision d;
  // A run that lasted stable_after proves the last restart worked: the next delay starts over.
  if (exit && now - started >= policy.stable_after) consecutive_ = 0;

  switch (cause) {
    case EndCause::StopRequested:
      d.verdict = Verdict::StayDown;
      d.reason = "stop requested";
      return d;
    case EndCause::RestartRequested:
      d.verdict = Verdict::RestartNow;
      d.reason = "restart requested";
      d.attempt = starts_in_window(policy, now) + 1;
      return d;
    case EndCause::OnItsOwn:
    case EndCause::Fault:
      break;
  }

  bool failed = cause == EndCause::Fault || !exit || !exit->success();
  if (cause == EndCause::OnItsOwn && exit) {
    if (policy.mode == RestartMode::Never) {
      d.verdict = Verdict::StayDown;
      d.reason = "restart = \"never\"";
      return d;
    }
    if (policy.mode == RestartMode::OnFailure && !failed) {
      d.verdict = Verdict::StayDown;
      d.reason = "it exited successfully and restart = \"on-failure\"";
      return d;
    }
    if (!exit->signaled &&
        std::find(policy.prevent_exit_codes.begin(), policy.prevent_exit_codes.end(), exit->code) !=
            policy.prevent_exit_codes.end()) {
      d.verdict = Verdict::StayDown;
      d.reason = "exit status " + std::to_string(exit->code) + " is in restart_prevent_exit_codes";
      return d;
    }
  } else if (policy.mode == RestartMode::Never) {
    d.verdict = Verdict::StayDown;
    d.reason = "restart = \"never\"";
    return d;
  }

  int in_window = starts_in_window(policy, now);
  if (in_window >= policy.start_limit_burst) {
    d.verdict = Verdict::GiveUp;
    d.attempt = in_window;
    d.reason = std::to_string(in_window) + " starts within " + format_duration(policy.start_limit_interval) +
               " (start_limit_burst = " + std::to_string(policy.start_limit_burst) + ")";
    return d;
  }
  ++consecutive_;
  d.verdict = Verdict::RestartLater;
  d.delay = backoff_delay(policy, consecutive_);
  d.attempt = in_window + 1;
  return d;
}

}  // namespace vigil
