#pragma once
// The alerts, per (rule or built-in alert, service). Pure: snapshots and times in, notifications
// and actions out; tests drive it with explicit times. Every change of an alert's phase goes
// through alert_transition() (alert_lifecycle.hpp); this file only works out the input.
//
// - Three-valued: `when` (and `clear_when`) are evaluated as true, false or unknown (no value).
//   Unknown neither fires nor resolves (the alert keeps its phase) unless the rule says
//   `no_data = "resolve"` or `"fire"`; how long it has been unknown is shown (no_data_since).
// - `for`: the condition must hold that long before firing. A pending alert whose condition is
//   observed false goes back to inactive silently.
// - Resolution: `clear_when` (if given) must hold, else `when` must be observed false, for
//   `clear_for`, with values. The resolution carries the values observed then.
// - health_grace delays firing only: in the grace a holding condition does not start or fire an
//   alert, but a firing one still resolves once its clear condition is observed.
// - `repeat`: a firing alert is notified again at most every `repeat`.
// - Event rules (they name exit_code / exit_signal) look at each new exit once. Further matching
//   exits while the alert fires fold into it (count); at `repeat` it is notified again if the
//   count grew ("(7 times in 2m, last: exited with status 1)"). It resolves after `clear_for`
//   (default 5m) without a matching exit.
// - Built-in alerts (builtin_alerts.hpp) run through the same lifecycle, with or without rules.
// - Actions (restart / stop) are requested once per firing; the caller reports what became of
//   them (note_action), which the alert shows.
// - Inhibition ([[inhibit]]) and silences mute notifications, never actions. A resolution is only
//   sent for an alert whose firing was sent.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vigil/alert_lifecycle.hpp"
#include "vigil/expr.hpp"
#include "vigil/restart_policy.hpp"
#include "vigil/rules_config.hpp"
#include "vigil/silences.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

struct BuiltinAlert;  // builtin_alerts.hpp

enum class AlertSource { Rule, ServiceBuiltin, VigilBuiltin };

struct Alert {
  std::string rule;     // the rule's or the built-in alert's name
  std::string service;  // or "vigil" (or what a vigil alert is about)
  AlertSource source = AlertSource::Rule;
  Severity severity = Severity::Warning;
  AlertPhase phase = AlertPhase::Pending;
  TimePoint since{};           // pending since, or firing since
  double fired_at = 0;         // unix seconds when it started firing (0 while pending)
  TimePoint last_notified{};
  TimePoint clearing_since{};  // phase Clearing: since when the clear condition holds
  TimePoint first_event{}, last_event{};  // event rules: the first and the last matching exit
  std::string last_exit;                  // event rules: the last matching exit, described
  int count = 1;               // event rules: matching exits folded into this alert; built-in
                               // alerts: the failures seen since it started (a retry that failed again)
  int notified_count = 1;      // event rules: the count the last notification carried
  std::string summary;
  int restarts_seen = -1;      // built-in alerts: the service's restarts when the summary was written
  std::string value;           // the first metric of `when`, formatted ("73.2s")
  std::map<std::string, std::string> values;  // every metric of the rule, formatted, as last observed
  std::optional<double> no_data_since;        // unix seconds; unset while it has values
  std::string action;          // what became of the rule's action ("restart requested", "restart skipped: ...")
  std::vector<std::string> targets;  // notifiers its firing went to (its resolution goes there too)
  std::string muted_by;        // "" or why notifications are muted (inhibited / silenced)
  bool firing_sent = false;    // its firing notification went out (so its resolution will too)
  std::string firing_muted_by; // why its firing was not sent

  bool firing() const { return phase == AlertPhase::Firing || phase == AlertPhase::Clearing; }
};

struct Notification {
  enum class Kind { Firing, Repeat, Resolved } kind = Kind::Firing;
  Alert alert;
  std::vector<std::string> targets;  // notifier names
  double at = 0;                     // unix seconds
  bool muted = false;                // not delivered; alert.muted_by says why
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
  std::vector<Alert> updated;  // firing alerts whose summary changed without a new notification
  void append(EngineOutput&& o);
};

class RuleEngine {
 public:
  /// Replaces the rules. Alerts of rules with an unchanged definition keep their state (a firing
  /// alert does not fire again); alerts of removed or changed rules resolve, and so do built-in
  /// alerts now disabled.
  EngineOutput set_rules(std::shared_ptr<const RuleSet> rules, TimePoint now, double unix_now);
  const RuleSet* rules() const { return rules_.get(); }

  EngineOutput evaluate(const Snapshot& snap, TimePoint now, double unix_now, const Silences& silences);

  /// A built-in alert vigil raises itself (rules_reload_failed, config_reload_failed, ...) about
  /// `subject`: raise with a summary, clear with nullopt. Raised again while it fires, it updates
  /// the summary (EngineOutput::updated) and does not fire a second time.
  /// About vigil itself it is never silenced; about a job (job_failed), a silence on the job mutes it
  /// as it would a service's alert (`silences`: those in force).
  EngineOutput set_vigil_alert(const std::string& name, std::optional<std::string> summary, TimePoint now,
                               double unix_now, const std::string& subject = "vigil",
                               const Silences* silences = nullptr);

  /// What became of an alert's action, shown with the alert.
  void note_action(const std::string& rule, const std::string& service, const std::string& outcome);

  /// Pending and firing alerts, most severe first.
  std::vector<Alert> alerts() const;
  /// Each rule that applies to each service in `snap`, with its alert's state: status's per-service view.
  void describe_rules(Snapshot& snap, TimePoint now) const;
  /// The histories kept for window functions (tests, status).
  const WindowHistory& windows() const { return windows_; }

  /// When evaluating again could change something before the next sample: a pending alert's `for`
  /// runs out, or a service's data_age reaches a threshold its rules compare it with. Lets vigil
  /// notice staleness the moment it happens rather than up to a sample_interval later.
  std::optional<TimePoint> next_deadline(const Snapshot& snap, TimePoint now) const;

 private:
  using Key = std::pair<std::string, std::string>;  // rule, service
  // How one alert's lifecycle is timed and where it goes: from a rule or a built-in's settings.
  struct Timing {
    Duration for_{0}, clear_for{0};
    std::optional<Duration> repeat;
    Severity severity = Severity::Warning;
    std::vector<std::string> targets;
    RuleAction action = RuleAction::None;
    bool event = false;
  };
  using Refresh = std::function<void(Alert&)>;
  /// `exits`: for an Exit, how many matching exits it stands for.
  void feed(const Key& key, AlertSource source, AlertInput in, const Timing& t, const Refresh& refresh, TimePoint now,
            double unix_now, EngineOutput& out, int exits = 1);
  /// Marks each notification of `out` muted or not by `mute_reason` ("" = sent) and records on its
  /// alert whether the firing went out, which decides where the resolution goes.
  void apply_muting(EngineOutput& out, const std::function<std::string(const Alert&)>& mute_reason);
  void perform(Alert& a, AlertEffect effect, const Timing& t, TimePoint now, double unix_now, EngineOutput& out);
  void evaluate_rule(const Rule& r, const std::string& subject, const expr::Context& ctx, int new_exits, TimePoint now,
                     double unix_now, EngineOutput& out);
  void evaluate_builtins(const std::vector<ServiceSnapshot>& services, TimePoint now, double unix_now, EngineOutput& out);
  void evaluate_builtin(const BuiltinAlert& def, Duration after, const Timing& t, const ServiceSnapshot& s, TimePoint now,
                        double unix_now, EngineOutput& out);
  Timing timing(const Rule& r) const;
  std::vector<std::string> all_notifiers() const;

  std::shared_ptr<const RuleSet> rules_;
  WindowHistory windows_;  // bounded histories of just the metrics the rules' windows look at
  std::set<std::string> last_services_;  // services with histories (a removed one's are forgotten)
  std::map<Key, Alert> alerts_;
  std::map<std::string, int> exits_seen_;  // per service, from the previous evaluation
};

}  // namespace vigil
