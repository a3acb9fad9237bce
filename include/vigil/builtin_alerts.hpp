#pragma once
// vigil's built-in alerts: ONE table. They exist without any rules file; `[builtin.NAME]` in
// rules.toml sets a row's severity, notify list, threshold, or disables it. By default they go to
// every notifier. A row is either judged per service from its snapshot (`observe`), or raised and
// cleared by vigil itself (RuleEngine::set_vigil_alert: a rejected rules or config edit).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/alert_lifecycle.hpp"
#include "vigil/quantity.hpp"
#include "vigil/rules_config.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

struct BuiltinAlert {
  std::string_view name;
  Severity severity;                    // default
  std::optional<Duration> default_after;  // a threshold settable with `after`, if the alert has one
  bool after_is_for = false;            // `after` is how long it must hold before firing (else observe() reads it)
  std::string_view what;                // one line for docs and messages
  // Per-service alerts: what the service shows now (its input to alert_transition()), and the
  // summary, `times` being the failures seen since the alert started (1, then 2 for a retry that
  // failed again...). Null for alerts vigil raises itself.
  AlertInput (*observe)(const ServiceSnapshot& s, Duration after) = nullptr;
  std::string (*summary)(const ServiceSnapshot& s, Duration after, int times) = nullptr;
};

const std::vector<BuiltinAlert>& builtin_alerts();
const BuiltinAlert* find_builtin(std::string_view name);
BuiltinSettings default_builtin_settings(const BuiltinAlert& def);
/// The settings in force for `name`: the file's [builtin.NAME], else the defaults. `rules` may be null.
BuiltinSettings builtin_settings(const RuleSet* rules, const BuiltinAlert& def);

}  // namespace vigil
