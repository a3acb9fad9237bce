#pragma once
// The lifecycle of one alert (a rule, or a built-in alert, for one service) as ONE transition table,
// like transition() in service_state.hpp: every (phase, input) pair is decided in one switch with
// no `default`, so a new phase or input must be decided everywhere. Pure; the RuleEngine computes
// the input from a snapshot and performs the effect.
//
// The point of the table is what it does NOT do: "no data" (the process is down, restarting, the
// store is down) is its own input, and it neither fires nor resolves. Only an observed clear
// condition, held for clear_for, resolves.
#include <string_view>

namespace vigil {

enum class AlertPhase {
  Inactive,  // nothing to say
  Pending,   // the condition holds; `for` is running
  Firing,    // notified
  Clearing,  // firing, and the clear condition is observed to hold; clear_for is running
};

enum class AlertInput {
  Holds,         // the condition is observed to hold (when firing: the clear condition is observed not to)
  HoldsInGrace,  // the same, for a service inside its health_grace: firing waits, resolving does not
  Clear,         // observed not to hold (when firing: the clear condition is observed to hold)
  NoData,        // cannot be evaluated: a metric it needs has no value
  ForElapsed,    // pending, and the condition has held for `for`
  ClearElapsed,  // clearing, and the clear condition has held for `clear_for`
  Exit,          // event rules: a new exit that matches
  RepeatDue,     // firing: `repeat` has passed since the last notification
  Gone,          // the rule was removed or changed, or the service is gone
};

enum class AlertEffect {
  None,
  Fire,     // notify firing; request the action
  Fold,     // one more matching exit: count it into the firing alert
  Repeat,   // notify again (still firing)
  Resolve,  // notify resolved (with the values observed now)
  Forget,   // a pending alert that never fired: dropped without a word
};

struct AlertStep {
  AlertPhase next;
  AlertEffect effect = AlertEffect::None;
};

AlertStep alert_transition(AlertPhase phase, AlertInput input);

std::string_view to_string(AlertPhase p);
std::string_view to_string(AlertInput i);

}  // namespace vigil
