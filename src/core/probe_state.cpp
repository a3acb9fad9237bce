#include "vigil/probe_state.hpp"

namespace vigil {
namespace {

// A check result moves the streak and, once a threshold is reached, the verdict.
ProbeStep judge(ProbeState state, ProbeEvent event, ProbeStreak& streak, ProbeThresholds th) {
  if (event == ProbeEvent::Passed) {
    ++streak.passes;
    streak.failures = 0;
    return {streak.passes >= th.success ? ProbeState::Passing : state, true};
  }
  ++streak.failures;
  streak.passes = 0;
  return {streak.failures >= th.failure ? ProbeState::Failing : state, true};
}

}  // namespace

ProbeStep transition(ProbeState state, ProbeEvent event, ProbeStreak& streak, ProbeThresholds th) {
  switch (state) {
    case ProbeState::Off:
    case ProbeState::Waiting:
      switch (event) {
        case ProbeEvent::RunStarted:
          streak = {};
          return {ProbeState::Waiting};
        case ProbeEvent::RunEnded:
          return {ProbeState::Off, false, state == ProbeState::Off};
        case ProbeEvent::Armed:
          if (state == ProbeState::Off) return {state, false, true};
          return {ProbeState::Unknown, true};
        case ProbeEvent::Passed:
        case ProbeEvent::Failed:
          return {state, false, true};  // a result from a run that is over
      }
      break;
    case ProbeState::Unknown:
    case ProbeState::Passing:
    case ProbeState::Failing:
      switch (event) {
        case ProbeEvent::RunStarted:
          streak = {};
          return {ProbeState::Waiting};
        case ProbeEvent::RunEnded:
          return {ProbeState::Off};
        case ProbeEvent::Armed:
          return {state, false, true};
        case ProbeEvent::Passed:
        case ProbeEvent::Failed:
          return judge(state, event, streak, th);
      }
      break;
  }
  return {state, false, true};
}

std::string_view to_string(ProbeState s) {
  switch (s) {
    case ProbeState::Off: return "off";
    case ProbeState::Waiting: return "waiting";
    case ProbeState::Unknown: return "unknown";
    case ProbeState::Passing: return "passing";
    case ProbeState::Failing: return "failing";
  }
  return "?";
}

}  // namespace vigil
