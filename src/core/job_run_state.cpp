#include "vigil/job_run_state.hpp"

namespace vigil {
namespace {

RunStep ignore(RunState s) { return RunStep{s, kRunNone, RunResult::None, true}; }

// The attempt (and the run) ends with `r`; no retry.
RunStep run_over(RunResult r) { return {RunState::Done, kRunEndAttempt | kRunFinish, r}; }

// The process group is asked to stop (stop_signal, then SIGKILL after stop_timeout); once it is
// gone the attempt ends with `why` (Stopping remembers it as RunFacts::stopping_for).
RunStep stop_for(RunResult why) { return {RunState::Stopping, kRunSignalGroup, why}; }

// An attempt ended with `r`: retry when it is retryable and retries are left, else the run is done.
RunStep attempt_over(RunResult r, const RunFacts& f) {
  if (retryable(r) && f.retries_left) return {RunState::RetryWait, kRunEndAttempt | kRunArmRetry, r};
  return run_over(r);
}

RunStep start_attempt(const RunFacts& f) {
  return f.has_condition ? RunStep{RunState::Condition, kRunSpawnCondition}
                         : RunStep{RunState::Running, kRunSpawnCommand};
}

}  // namespace

RunStep transition(RunState state, RunEvent event, const RunFacts& f) {
  switch (state) {
    case RunState::Waiting:
      switch (event) {
        case RunEvent::Admitted: {
          RunStep s = start_attempt(f);
          s.actions |= kRunArmTimeout;
          return s;
        }
        case RunEvent::Cancel:
          // Never started: nothing to stop; the run is recorded as cancelled.
          return run_over(RunResult::Cancelled);
        case RunEvent::ConditionPassed:
        case RunEvent::ConditionSkip:
        case RunEvent::ConditionFailed:
        case RunEvent::SpawnFailed:
        case RunEvent::Succeeded:
        case RunEvent::Failed:
        case RunEvent::Timeout:
        case RunEvent::OutputTimeout:
        case RunEvent::StopTimeout:
        case RunEvent::Gone:
        case RunEvent::RetryElapsed:
          return ignore(state);
      }
      break;

    case RunState::Condition:
      switch (event) {
        case RunEvent::ConditionPassed:
          return {RunState::Running, kRunSpawnCommand};
        case RunEvent::ConditionSkip:
          return run_over(RunResult::Skipped);
        case RunEvent::ConditionFailed:
          return attempt_over(RunResult::Failed, f);
        case RunEvent::Timeout:
          return stop_for(RunResult::Timeout);
        case RunEvent::Cancel:
          return stop_for(RunResult::Cancelled);
        case RunEvent::OutputTimeout:  // armed for the command only
        case RunEvent::Admitted:
        case RunEvent::SpawnFailed:
        case RunEvent::Succeeded:
        case RunEvent::Failed:
        case RunEvent::StopTimeout:
        case RunEvent::Gone:
        case RunEvent::RetryElapsed:
          return ignore(state);
      }
      break;

    case RunState::Running:
      switch (event) {
        case RunEvent::Succeeded:
          return run_over(RunResult::Success);
        case RunEvent::Failed:
        case RunEvent::SpawnFailed:
          return attempt_over(RunResult::Failed, f);
        case RunEvent::Timeout:
          return stop_for(RunResult::Timeout);
        case RunEvent::OutputTimeout:
          return stop_for(RunResult::OutputTimeout);
        case RunEvent::Cancel:
          return stop_for(RunResult::Cancelled);
        case RunEvent::Admitted:
        case RunEvent::ConditionPassed:
        case RunEvent::ConditionSkip:
        case RunEvent::ConditionFailed:
        case RunEvent::StopTimeout:
        case RunEvent::Gone:
        case RunEvent::RetryElapsed:
          return ignore(state);
      }
      break;

    case RunState::Stopping:
      switch (event) {
        case RunEvent::StopTimeout:
          return {RunState::Stopping, kRunKillGroup};
        case RunEvent::Gone:
        case RunEvent::Succeeded:
        case RunEvent::Failed:
        case RunEvent::ConditionPassed:
        case RunEvent::ConditionSkip:
        case RunEvent::ConditionFailed:
          // However the processes ended, the run ends for the reason it was stopped: a job killed
          // by its timeout that exits 0 on SIGTERM still timed out.
          // attempt_over() never retries a cancelled run (cancelled is not retryable).
          return attempt_over(f.stopping_for, f);
        case RunEvent::Cancel:
          // Already on the way down; a cancel is remembered by the caller (stopping_for = Cancelled)
          // so that a timed-out run that is also cancelled is not retried.
          return ignore(state);
        case RunEvent::Timeout:
        case RunEvent::OutputTimeout:
        case RunEvent::Admitted:
        case RunEvent::SpawnFailed:
        case RunEvent::RetryElapsed:
          return ignore(state);
      }
      break;

    case RunState::RetryWait:
      switch (event) {
        case RunEvent::RetryElapsed:
          return start_attempt(f);
        case RunEvent::Cancel:
          return {RunState::Done, kRunFinish, RunResult::Cancelled};
        case RunEvent::Timeout:
          // The whole run's time is up between attempts: the last attempt's failure stands.
          return {RunState::Done, kRunFinish, RunResult::Timeout};
        case RunEvent::Admitted:
        case RunEvent::ConditionPassed:
        case RunEvent::ConditionSkip:
        case RunEvent::ConditionFailed:
        case RunEvent::SpawnFailed:
        case RunEvent::Succeeded:
        case RunEvent::Failed:
        case RunEvent::OutputTimeout:
        case RunEvent::StopTimeout:
        case RunEvent::Gone:
          return ignore(state);
      }
      break;

    case RunState::Done:
      return ignore(state);
  }
  return ignore(state);
}

bool retryable(RunResult r) {
  switch (r) {
    case RunResult::Failed:
    case RunResult::Timeout:
    case RunResult::OutputTimeout:
      return true;
    case RunResult::None:
    case RunResult::Success:
    case RunResult::Skipped:
    case RunResult::Cancelled:
    case RunResult::Interrupted:
      return false;
  }
  return false;
}

std::string_view to_string(RunState s) {
  switch (s) {
    case RunState::Waiting: return "waiting";
    case RunState::Condition: return "condition";
    case RunState::Running: return "running";
    case RunState::Stopping: return "stopping";
    case RunState::RetryWait: return "retry-wait";
    case RunState::Done: return "done";
  }
  return "?";
}

std::string_view to_string(RunEvent e) {
  switch (e) {
    case RunEvent::Admitted: return "admitted";
    case RunEvent::ConditionPassed: return "condition passed";
    case RunEvent::ConditionSkip: return "condition says skip";
    case RunEvent::ConditionFailed: return "condition failed";
    case RunEvent::SpawnFailed: return "spawn failed";
    case RunEvent::Succeeded: return "succeeded";
    case RunEvent::Failed: return "failed";
    case RunEvent::Timeout: return "timeout";
    case RunEvent::OutputTimeout: return "output timeout";
    case RunEvent::Cancel: return "cancel";
    case RunEvent::StopTimeout: return "stop timeout";
    case RunEvent::Gone: return "gone";
    case RunEvent::RetryElapsed: return "retry delay over";
  }
  return "?";
}

std::string_view to_string(RunResult r) {
  switch (r) {
    case RunResult::None: return "none";
    case RunResult::Success: return "success";
    case RunResult::Failed: return "failed";
    case RunResult::Skipped: return "skipped";
    case RunResult::Timeout: return "timeout";
    case RunResult::OutputTimeout: return "output-timeout";
    case RunResult::Cancelled: return "cancelled";
    case RunResult::Interrupted: return "interrupted";
  }
  return "?";
}

}  // namespace vigil
