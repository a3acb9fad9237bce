#pragma once
// The alert lifecycle, per (rule, service): inactive → pending (`for` running) → firing → resolved.
// Pure: snapshots and times in, notifications and actions out; tests drive it with explicit times.
//
// - `for`: the condition must hold that long before firing. A pending alert whose condition lapses
//   goes back to inactive silently.
// - Resolution: `clear_when` (if given) must hold, else `when` must stop holding, for `clear_for`.
//   Fire at 60 s, clear at 20 s: hysteresis on both edges.
// - `repeat`: a firing alert is notified again at most every `repeat`.
// - Event rules (they name exit_code / exit_signal) look at each new exit once. Further matching
//   exits while the alert fires fold into it (count), so a crash storm is one notification; it
//   resolves after `clear_for` (default 5m) without a matching exit.
// - Actions (restart / stop) are requested once per firing.
// - Rules naming a sampled metric stay quiet for a service in its health_grace.
// - Inhibition ([[inhibit]]) and silences mute notifications, never actions. A resolution is only
//   sent for an alert whose firing was sent.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/expr.hpp"
#include "vigil/restart_policy.hpp"
#include "vigil/rules_config.hpp"
#include "vigil/silences.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

struct Alert {
  std::string rule;
  std::string service;
  Severity severity = Severity::Warning;
  AlertState state = AlertState::Pending;
  TimePoint since{};           // pending since, or firing since
  double fired_at = 0;         // unix seconds when it started firing (0 while pending)
  TimePoint last_notified{};
  std::optional<TimePoint> clearing_since;
  TimePoint last_event{};      // event rules: the last matching exit
  int count = 1;               // event rules: matching exits folded into this alert
  std::string summary;
  std::string value;           // the first metric of `when`, formatted ("73.2s")
  std::map<std::string, std::string> values;  // every metric of the rule, formatted
  std::string muted_by;        // "" or why notifications are muted (inhibited / silenced)
  bool firing_sent = false;    // its firing notification went out (so its resolution will too)
};

struct Notification {
  enum class Kind { Firing, Repeat, Resolved } kind = Kind::Firing;
  Alert alert;
  std::vector<std::string> targets;  // notifier names
  double at = 0;                     // unix seconds
  bool muted = false;                // inhibited or silenced: logged, not delivered
};

struct ActionRequest {
  std::string service;
  std::string rule;
  RuleAction action = RuleAction::None;
  std::string reason;  // "stale_data: scan-bridge: data is 1m13s old"
};

struct EngineOutput {
  std::vector<Notification> notifications;
  std::vector<ActionRequest> actions;
  void append(EngineOutput&& o);
};

class RuleEngine {
 public:
  /// Replaces the rules. Alerts of rules with an unchanged definition keep their state (a firing
  /// alert does not fire again); alerts of removed or changed rules resolve.
  EngineOutput set_rules(std::shared_ptr<const RuleSet> rules, TimePoint now, double unix_now);
  const RuleSet* rules() const { return rules_.get(); }

  EngineOutput evaluate(const Snapshot& snap, TimePoint now, double unix_now, const Silences& silences);

  /// An alert about vigil itself (e.g. rules_reload_failed): raise with a summary, clear with nullopt.
  /// It goes to every notifier of the current rules.
  EngineOutput set_vigil_alert(const std::string& name, Severity severity, std::optional<std::string> summary,
                               TimePoint now, double unix_now);

  /// Pending and firing alerts, most severe first.
  std::vector<Alert> alerts() const;

  /// When evaluating again could change something before the next sample: a pending alert's `for`
  /// runs out, or a service's data_age reaches a threshold its rules compare it with. Lets vigil
  /// notice staleness the moment it happens rather than up to a sample_interval later.
  std::optional<TimePoint> next_deadline(const Snapshot& snap, TimePoint now) const;

 private:
  using Key = std::pair<std::string, std::string>;  // rule, service
  Alert& start_alert(const Key& key, const Rule& r, const expr::Context& ctx, TimePoint now);  // pending
  void fire(Alert& a, const Rule& r, TimePoint now, double unix_now, EngineOutput& out);
  void resolve(const Alert& a, const std::vector<std::string>& targets, double unix_now, EngineOutput& out);
  std::vector<std::string> all_notifiers() const;

  std::shared_ptr<const RuleSet> rules_;
  std::map<Key, Alert> alerts_;
  std::map<std::string, std::vector<std::string>> vigil_alert_targets_;
  std::map<std::string, int> exits_seen_;  // per service, from the previous evaluation
};

}  // namespace vigil
