#pragma once
// A service's whole lifecycle: one state enum, one event enum, one pure transition function.
// Every (state, event) pair is decided explicitly (see the table in docs/lifecycle.md); the switch
// statements have no default, so -Wswitch-enum catches a new state or event that was not decided.
//
// "What the service wants" (up or down, restart now or after a fault) is not a state: Service keeps
// it as an EndCause and hands the resulting Verdict in with the Exited / SpawnFailed events.
#include <cstdint>
#include <string_view>

#include "vigil/restart_policy.hpp"

namespace vigil {

enum class State {
  Stopped,   // no process; stays so until started
  Starting,  // process spawned, not yet ready (ready = "notify" waits for READY=1)
  Running,   // process up and ready
  Stopping,  // stop signal sent to the process group; SIGKILL after stop_timeout
  Backoff,   // processes gone; waiting the restart delay before starting again
  Failed,    // start limit hit; retried after failed_retry (or by an operator start)
};

enum class Event {
  Start,         // operator or supervisor wants it up
  Stop,          // operator or shutdown wants it down
  Restart,       // operator restart, or a fault (start timeout, watchdog, rule action)
  Spawned,       // fork/exec succeeded
  SpawnFailed,   // the program could not be started (not found, bad cwd, exec error)
  Ready,         // ready (at once for ready = "started", on READY=1 for "notify")
  StartTimeout,  // not ready within start_timeout
  MainExited,    // the main process exited but others of its process group remain
  Exited,        // the main process and its whole process group are gone
  StopTimeout,   // stop_timeout elapsed while stopping
  DelayElapsed,  // backoff delay over
  RetryElapsed,  // failed_retry over
};

/// Side effects the Service must perform, in this order, after entering the new state.
enum Action : std::uint32_t {
  kNone = 0,
  kSpawn = 1u << 0,          // fork/exec; then feed Spawned or SpawnFailed
  kSignalGroup = 1u << 1,    // stop_signal (+ SIGCONT) to the process group
  kKillGroup = 1u << 2,      // SIGKILL to the process group
  kArmStartTimer = 1u << 3,  // start_timeout
  kArmStopTimer = 1u << 4,   // stop_timeout
  kArmDelayTimer = 1u << 5,  // the restart delay from the Decision
  kArmRetryTimer = 1u << 6,  // failed_retry
};

struct Step {
  State next;
  std::uint32_t actions = kNone;
  bool ignored = false;  // the event means nothing in this state (a stale timer, a duplicate request)
};

/// The transition function. `verdict` is only read for Exited and SpawnFailed.
Step transition(State state, Event event, Verdict verdict);

std::string_view to_string(State s);
std::string_view to_string(Event e);

/// True in the states where the service has (or may have) live processes.
bool has_processes(State s);

}  // namespace vigil
