#pragma once
// rules.toml as typed values (every key in docs/rules.md). load_rules() reports
// every problem at once as FILE:LINE:COL; an expression error points at the token inside `when`.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vigil/error.hpp"
#include "vigil/expr.hpp"
#include "vigil/quantity.hpp"
#include "vigil/severity.hpp"

namespace vigil {

enum class RuleAction { None, Restart, Stop };
/// What a condition that cannot be evaluated (no value) means for the alert: keep its state
/// (default), count as cleared, or count as holding.
enum class NoDataPolicy { Keep, Resolve, Fire };
std::string_view to_string(RuleAction a);
std::string_view to_string(NoDataPolicy p);

struct Rule {
  std::string name;
  std::vector<std::string> services;  // names or globs; empty = every service (unless it is a job rule)
  std::vector<std::string> jobs;      // a job rule (`jobs = [...]`): names or globs of jobs, never empty
  std::string when_text;
  expr::NodePtr when;
  Duration for_{0};
  Severity severity = Severity::Warning;
  RuleAction action = RuleAction::None;
  std::vector<std::string> notify;
  std::string summary;  // template: {service} {rule} {severity} {<metric>}
  std::optional<Duration> repeat;
  std::string clear_when_text;
  expr::NodePtr clear_when;  // null: resolves when `when` stops holding
  Duration clear_for{0};
  NoDataPolicy no_data = NoDataPolicy::Keep;
  std::set<std::string> metrics;  // every metric named in when / clear_when
  WindowNeeds windows;            // metrics its window functions look at, with the longest window
  bool event = false;             // mentions exit_code / exit_signal: evaluated once per exit
  bool uses_health = false;       // mentions a sampled metric: quiet during health_grace
  std::uint32_t line = 0;

  bool job_rule() const { return !jobs.empty(); }
  bool applies_to(const std::string& service) const;
  bool applies_to_job(const std::string& job) const;
  /// Same definition (position ignored): its alerts keep their state across a reload.
  bool same_definition(const Rule& o) const;
};

struct Inhibit {
  std::string source;
  std::vector<std::string> targets;
};

enum class NotifierType { Exec, Webhook, Journal };
enum class WebhookFormat { Json, Alertmanager, Slack };

struct NotifierSpec {
  std::string name;
  NotifierType type = NotifierType::Exec;
  std::vector<std::string> command;  // exec
  std::string cwd;                   // exec: the rules file's folder, so relative paths work
  std::vector<std::string> urls;     // webhook: each gets every notification (Alertmanager peers)
  std::string proxy;                 // webhook: "" = direct, whatever the environment says
  WebhookFormat format = WebhookFormat::Json;
  std::vector<std::pair<std::string, std::string>> headers;
  Duration timeout = std::chrono::seconds(10);
  int retries = 3;  // further attempts after a failed delivery, with backoff
  std::map<std::string, std::string> labels;       // alertmanager: added to every alert's labels
  Duration resend = std::chrono::minutes(1);       // alertmanager: firing alerts re-sent this often
};

/// `[builtin.NAME]`: how one of vigil's built-in alerts (builtin_alerts.hpp) is raised here.
struct BuiltinSettings {
  Severity severity = Severity::Warning;
  std::optional<std::vector<std::string>> notify;  // unset: every notifier
  bool disabled = false;
  std::optional<Duration> after;  // for the alerts that have a threshold (service_flapping)
  bool operator==(const BuiltinSettings& o) const = default;
};

struct RuleSet {
  std::string path;
  std::vector<Rule> rules;
  std::vector<Inhibit> inhibits;
  std::vector<NotifierSpec> notifiers;
  std::map<std::string, expr::Type> custom_metrics;
  std::map<std::string, BuiltinSettings> builtins;  // only those the file mentions

  const Rule* find(const std::string& name) const;
};

struct RulesResult {
  std::optional<RuleSet> rules;
  Diagnostics errors;
};

/// `services`: the configured service names (an exact name in `services` must exist);
/// `custom_metrics`: every name under any service's `metrics`.
RulesResult load_rules(const std::string& path, const std::vector<std::string>& services,
                       const std::map<std::string, expr::Type>& custom_metrics,
                       const std::vector<std::string>& jobs = {});
RulesResult parse_rules(const std::string& text, const std::string& path, const std::vector<std::string>& services,
                        const std::map<std::string, expr::Type>& custom_metrics,
                        const std::vector<std::string>& jobs = {});

/// Shell-style glob with * and ?.
bool glob_match(std::string_view pattern, std::string_view name);

/// "{service}: data is {data_age} old" with the values filled in.
std::string render_summary(const std::string& tmpl, const std::map<std::string, std::string>& values);

}  // namespace vigil
