#pragma once
// A job run's whole lifecycle: one state enum, one event enum, one pure transition function, like
// service_state.hpp. Every (state, event) pair is decided explicitly; the switches have no default,
// so -Wswitch-enum catches a new state or event that was not decided.
//
// A run is one request to run the job (scheduled, manual, dependency, catch-up). It may make several
// attempts (retries); each attempt is one row in the run history. What the run has no say over (are
// there retries left, is there a condition, why a stop was asked for) comes in as RunFacts.
#include <cstdint>
#include <string_view>

namespace vigil {

enum class RunState {
  Waiting,    // queued: concurrency or max_parallel_jobs keeps it from starting yet
  Condition,  // the condition command is running
  Running,    // the command is running
  Stopping,   // TERM sent to the process group (timeout, output_timeout, cancel); KILL after stop_timeout
  RetryWait,  // the attempt failed; waiting retry_delay before the next one
  Done,       // finished; RunStep::result says how
};

enum class RunEvent {
  Admitted,         // a slot is free: start the attempt
  ConditionPassed,  // condition exited 0: there is work
  ConditionSkip,    // condition exited 1: nothing to do
  ConditionFailed,  // condition exited otherwise, was killed, or could not be started
  SpawnFailed,      // the command could not be started
  Succeeded,        // the command exited 0 and its process group is gone
  Failed,           // the command exited non-zero or by a signal, and its group is gone
  Timeout,          // the run's `timeout` elapsed
  OutputTimeout,    // no output for `output_timeout`
  Cancel,           // an operator cancelled it, or vigil is shutting down
  StopTimeout,      // stop_timeout elapsed while stopping
  Gone,             // after a stop: the process group is gone
  RetryElapsed,     // retry_delay over
};

/// How an attempt (and in the end the run) turned out; the words are the history's `result` column.
enum class RunResult {
  None,           // not over yet
  Success,
  Failed,
  Skipped,        // the condition said there is nothing to do
  Timeout,
  OutputTimeout,
  Cancelled,
  Interrupted,    // vigil died while it ran (set when vigil starts again, never by transition())
};

enum RunAction : std::uint32_t {
  kRunNone = 0,
  kRunSpawnCondition = 1u << 0,  // start the condition command
  kRunSpawnCommand = 1u << 1,    // start the command (arms output_timeout)
  kRunSignalGroup = 1u << 2,     // stop_signal to the process group, arm stop_timeout
  kRunKillGroup = 1u << 3,       // SIGKILL to the process group
  kRunArmRetry = 1u << 4,        // retry_delay (the next one in the doubling series)
  kRunEndAttempt = 1u << 5,      // the attempt is over: record it with RunStep::result
  kRunFinish = 1u << 6,          // the run is over (Done): free the slot, notify, start dependents
  kRunArmTimeout = 1u << 7,      // the run's `timeout`, armed once at the first attempt's start
};

struct RunFacts {
  bool has_condition = false;
  bool retries_left = false;        // another attempt may follow a failed one
  RunResult stopping_for = RunResult::None;  // in Stopping: the result that asked for the stop
};

struct RunStep {
  RunState next;
  std::uint32_t actions = kRunNone;
  RunResult result = RunResult::None;  // with kRunEndAttempt: the attempt's result; with kRunFinish: the run's
  bool ignored = false;
};

RunStep transition(RunState state, RunEvent event, const RunFacts& facts);

std::string_view to_string(RunState s);
std::string_view to_string(RunEvent e);
std::string_view to_string(RunResult r);

/// True for the results after which a retry may follow (failed, timeout, output_timeout).
bool retryable(RunResult r);

}  // namespace vigil
