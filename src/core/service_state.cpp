#include "vigil/service_state.hpp"

namespace vigil {
namespace {

Step ignore(State s) { return Step{s, kNone, true}; }

// What the processes being gone means, by the restart decision.
Step after_end(Verdict verdict) {
  switch (verdict) {
    case Verdict::RestartNow:
      return {State::Starting, kSpawn};
    case Verdict::RestartLater:
      return {State::Backoff, kArmDelayTimer};
    case Verdict::StayDown:
      return {State::Stopped, kNone};
    case Verdict::GiveUp:
      return {State::Failed, kArmRetryTimer};
  }
  return {State::Stopped, kNone};
}

}  // namespace

Step transition(State state, Event event, Verdict verdict) {
  switch (state) {
    case State::Stopped:
    case State::Backoff:
    case State::Failed:
      // No process exists in these states: start requests spawn, stop requests settle at Stopped.
      switch (event) {
        case Event::Start:
        case Event::Restart:
          return {State::Starting, kSpawn};
        case Event::Stop:
          return {State::Stopped, kNone, state == State::Stopped};
        case Event::DelayElapsed:
          return state == State::Backoff ? Step{State::Starting, kSpawn} : ignore(state);
        case Event::RetryElapsed:
          return state == State::Failed ? Step{State::Starting, kSpawn} : ignore(state);
        case Event::Spawned:
        case Event::SpawnFailed:
        case Event::Ready:
        case Event::StartTimeout:
        case Event::MainExited:
        case Event::Exited:
        case Event::StopTimeout:
          return ignore(state);
      }
      break;

    case State::Starting:
      switch (event) {
        case Event::Start:
          return ignore(state);
        case Event::Stop:
        case Event::Restart:
        case Event::StartTimeout:
          return {State::Stopping, kSignalGroup | kArmStopTimer};
        case Event::Spawned:
          return {State::Starting, kArmStartTimer};
        case Event::SpawnFailed:
        case Event::Exited:
          return after_end(verdict);
        case Event::Ready:
          return {State::Running, kNone};
        case Event::MainExited:
          // The main process died before it was ready; what it left behind in its group goes too.
          return {State::Starting, kKillGroup};
        case Event::StopTimeout:
        case Event::DelayElapsed:
        case Event::RetryElapsed:
          return ignore(state);
      }
      break;

    case State::Running:
      switch (event) {
        case Event::Start:
        case Event::Ready:  // READY=1 sent again: nothing changes
          return ignore(state);
        case Event::Stop:
        case Event::Restart:
          return {State::Stopping, kSignalGroup | kArmStopTimer};
        case Event::MainExited:
          // A crashed main process's leftovers would hold its ports and files: they go at once.
          return {State::Running, kKillGroup};
        case Event::Exited:
          return after_end(verdict);
        case Event::Spawned:
        case Event::SpawnFailed:
        case Event::StartTimeout:
        case Event::StopTimeout:
        case Event::DelayElapsed:
        case Event::RetryElapsed:
          return ignore(state);
      }
      break;

    case State::Stopping:
      switch (event) {
        case Event::Start:
        case Event::Stop:
        case Event::Restart:
          // Already on the way down; Service records the new wish and the verdict at Exited honours it.
          return ignore(state);
        case Event::MainExited:
          // Others in the group may still be shutting down; the stop timer keeps covering them.
          return ignore(state);
        case Event::Exited:
          return after_end(verdict);
        case Event::StopTimeout:
          return {State::Stopping, kKillGroup};
        case Event::Spawned:
        case Event::SpawnFailed:
        case Event::Ready:
        case Event::StartTimeout:
        case Event::DelayElapsed:
        case Event::RetryElapsed:
          return ignore(state);
      }
      break;
  }
  return ignore(state);
}

std::string_view to_string(State s) {
  switch (s) {
    case State::Stopped: return "stopped";
    case State::Starting: return "starting";
    case State::Running: return "running";
    case State::Stopping: return "stopping";
    case State::Backoff: return "backoff";
    case State::Failed: return "failed";
  }
  return "?";
}

std::string_view to_string(Event e) {
  switch (e) {
    case Event::Start: return "start";
    case Event::Stop: return "stop";
    case Event::Restart: return "restart";
    case Event::Spawned: return "spawned";
    case Event::SpawnFailed: return "spawn failed";
    case Event::Ready: return "ready";
    case Event::StartTimeout: return "start timeout";
    case Event::MainExited: return "main process exited";
    case Event::Exited: return "exited";
    case Event::StopTimeout: return "stop timeout";
    case Event::DelayElapsed: return "restart delay over";
    case Event::RetryElapsed: return "failed_retry over";
  }
  return "?";
}

bool has_processes(State s) {
  return s == State::Starting || s == State::Running || s == State::Stopping;
}

}  // namespace vigil
