#include "vigil/alert_lifecycle.hpp"

namespace vigil {

AlertStep alert_transition(AlertPhase phase, AlertInput input) {
  using P = AlertPhase;
  using I = AlertInput;
  using E = AlertEffect;
  switch (phase) {
    case P::Inactive:
      switch (input) {
        case I::Holds: return {P::Pending};
        case I::Exit: return {P::Firing, E::Fire};  // event rules have no `for`
        case I::HoldsInGrace:                       // firing waits for the grace to end
        case I::Clear:
        case I::NoData:
        case I::ForElapsed:
        case I::ClearElapsed:
        case I::RepeatDue:
        case I::Gone: return {P::Inactive};
      }
      break;
    case P::Pending:
      switch (input) {
        case I::Holds:
        case I::HoldsInGrace:  // stays pending; fires once it holds outside the grace
        case I::NoData:        // no value is not "it stopped holding"
        case I::ClearElapsed:
        case I::RepeatDue: return {P::Pending};
        case I::ForElapsed:
        case I::Exit: return {P::Firing, E::Fire};
        case I::Clear:
        case I::Gone: return {P::Inactive, E::Forget};
      }
      break;
    case P::Firing:
      switch (input) {
        case I::Holds:
        case I::HoldsInGrace:
        case I::NoData:  // no value is not "it cleared": the alert keeps firing
        case I::ForElapsed:
        case I::ClearElapsed: return {P::Firing};
        case I::Clear: return {P::Clearing};
        case I::Exit: return {P::Firing, E::Fold};
        case I::RepeatDue: return {P::Firing, E::Repeat};
        case I::Gone: return {P::Inactive, E::Resolve};
      }
      break;
    case P::Clearing:
      switch (input) {
        case I::Holds:
        case I::HoldsInGrace:
        case I::NoData:  // clear_for counts observed values only: a gap starts it over
          return {P::Firing};
        case I::Clear:
        case I::ForElapsed: return {P::Clearing};
        case I::ClearElapsed: return {P::Inactive, E::Resolve};
        case I::Exit: return {P::Firing, E::Fold};
        case I::RepeatDue: return {P::Clearing, E::Repeat};
        case I::Gone: return {P::Inactive, E::Resolve};
      }
      break;
  }
  return {phase};
}

std::string_view to_string(AlertPhase p) {
  switch (p) {
    case AlertPhase::Inactive: return "inactive";
    case AlertPhase::Pending: return "pending";
    case AlertPhase::Firing: return "firing";
    case AlertPhase::Clearing: return "clearing";
  }
  return "?";
}

std::string_view to_string(AlertInput i) {
  switch (i) {
    case AlertInput::Holds: return "holds";
    case AlertInput::HoldsInGrace: return "holds in grace";
    case AlertInput::Clear: return "clear";
    case AlertInput::NoData: return "no data";
    case AlertInput::ForElapsed: return "for elapsed";
    case AlertInput::ClearElapsed: return "clear_for elapsed";
    case AlertInput::Exit: return "exit";
    case AlertInput::RepeatDue: return "repeat due";
    case AlertInput::Gone: return "gone";
  }
  return "?";
}

}  // namespace vigil
