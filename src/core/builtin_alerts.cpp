#include "vigil/builtin_alerts.hpp"

namespace vigil {

namespace {

// service_failed: the start limit was hit. Only a run that stays up for `after` (or an operator's
// stop) ends it; the retry's own starts, short runs and backoff keep it firing, so a retry that
// fails again updates the alert instead of resolving and firing a second time.
AlertInput failed_observe(const ServiceSnapshot& s, Duration after) {
  switch (s.state) {
    case State::Failed: return AlertInput::Holds;
    case State::Stopped: return AlertInput::Clear;
    case State::Running:
      return s.uptime && *s.uptime >= std::chrono::duration<double>(after).count() ? AlertInput::Clear
                                                                                     : AlertInput::NoData;
    case State::Starting:
    case State::Stopping:
    case State::Backoff: return AlertInput::NoData;
  }
  return AlertInput::NoData;
}

// A retry that failed again says so with the count: the update an operator reads is what changed.
std::string failed_summary(const ServiceSnapshot& s, Duration, int times) {
  std::string out = s.name + " failed";
  if (times > 1) out += " " + std::to_string(times) + " times in a row";
  if (!s.failed_reason.empty()) out += " (start limit: " + s.failed_reason + ")";
  if (s.next_start_in) out += "; vigil retries in " + format_seconds(*s.next_start_in);
  else out += "; vigil does not retry on its own (failed_retry = \"never\"): `vigil start " + s.name + "`";
  return out;
}

// service_flapping: restarting without staying up for `after`. Backoff is the loop; a run shorter
// than `after` is no verdict either way; a run that lasts `after`, or an operator's stop, ends it.
// A failed service is service_failed's business.
AlertInput flapping_observe(const ServiceSnapshot& s, Duration after) {
  switch (s.state) {
    case State::Backoff: return AlertInput::Holds;
    case State::Stopped: return AlertInput::Clear;
    case State::Starting:
    case State::Running:
    case State::Stopping:
      return s.uptime && *s.uptime >= std::chrono::duration<double>(after).count() ? AlertInput::Clear
                                                                                     : AlertInput::NoData;
    case State::Failed: return AlertInput::NoData;
  }
  return AlertInput::NoData;
}

std::string flapping_summary(const ServiceSnapshot& s, Duration after, int) {
  std::string out = s.name + " keeps restarting: not up for " + format_duration(after) + " since it started failing (" +
                    std::to_string(s.restarts) + " restarts so far)";
  if (s.last_exit) out += ", last: " + s.last_exit->status.describe();
  return out;
}

const std::vector<BuiltinAlert> kBuiltins = {
    {"service_failed", Severity::Critical, std::chrono::seconds(30), false,
     "a service hit its start limit and is failed (until a run stays up for `after`)", failed_observe, failed_summary},
    {"service_flapping", Severity::Warning, std::chrono::minutes(5), true,
     "a service keeps restarting (backoff) without staying up for `after`", flapping_observe, flapping_summary},
    {"rules_reload_failed", Severity::Warning, std::nullopt, false, "an edit of rules.toml was rejected; the rules in force stay"},
    {"config_reload_failed", Severity::Warning, std::nullopt, false, "an edit of the config was rejected; the config in force stays"},
    {"job_failed", Severity::Critical, std::nullopt, false,
     "a job's run failed after its retries (cleared by its next successful run)"},
};

}  // namespace

const std::vector<BuiltinAlert>& builtin_alerts() { return kBuiltins; }

const BuiltinAlert* find_builtin(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (b.name == name) return &b;
  return nullptr;
}

BuiltinSettings default_builtin_settings(const BuiltinAlert& def) {
  BuiltinSettings s;
  s.severity = def.severity;
  s.after = def.default_after;
  return s;
}

BuiltinSettings builtin_settings(const RuleSet* rules, const BuiltinAlert& def) {
  if (rules)
    if (auto it = rules->builtins.find(std::string(def.name)); it != rules->builtins.end()) return it->second;
  return default_builtin_settings(def);
}

}  // namespace vigil
