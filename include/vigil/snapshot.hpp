#pragma once
// One consistent picture of vigil and every service at one moment: what the rule engine evaluates,
// what `vigil status` shows and what status.json holds. A plain value, built on the event loop.
// Every metric is optional: "no value" (not running, no store, never sampled) is not zero.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vigil/exit_status.hpp"
#include "vigil/job_record.hpp"
#include "vigil/line_matcher.hpp"
#include "vigil/probe_state.hpp"
#include "vigil/service_state.hpp"
#include "vigil/severity.hpp"

namespace vigil {

struct LastExit {
  ExitStatus status;
  double age = 0;          // seconds ago
  bool requested = false;  // vigil asked it to end (stop, restart, a fault or rule action): not a crash
};

/// One rule's alert for one service, as `vigil status NAME` shows it.
struct RuleStateView {
  std::string rule;
  Severity severity = Severity::Warning;
  AlertState state = AlertState::Pending;
  bool active = false;   // false: inactive (the rule applies, no alert now)
  double since = 0;      // seconds in this state (pending / firing)
  std::string value;     // the first metric of `when`, formatted
  bool no_data = false;  // it cannot be evaluated now (a metric has no value)
};

struct ServiceSnapshot {
  std::string name;
  State state = State::Stopped;
  pid_t pid = 0;                          // main process, 0 when none
  std::optional<double> uptime;           // seconds since the current run started
  int restarts = 0;                       // starts after the first since vigil started
  int exits = 0;                          // runs that ended since vigil started (event rules)
  std::vector<double> start_ages;         // seconds ago of recent starts, newest first (restarts(WINDOW))
  std::optional<LastExit> last_exit;
  std::optional<double> next_start_in;    // backoff / failed_retry countdown, seconds
  std::string failed_reason;              // failed: why vigil gave up ("6 starts within 1m ...")
  std::string status_text;                // the child's STATUS=
  std::string log_file;                   // <log_dir>/<name>.log
  std::optional<pid_t> notified_mainpid;  // the child's MAINPID=
  bool in_health_grace = false;

  // Sampled metrics, in base units (percent, bytes, seconds, counts).
  std::optional<double> cpu, memory, threads, fds;
  double cpu_seconds_total = 0;        // CPU time of the service's trees seen by sampling since vigil started (a counter)
  std::uint64_t log_dropped_lines = 0;  // lines dropped under log_overflow = "drop" since vigil started
  std::uint64_t log_lines_stdout = 0, log_lines_stderr = 0;  // lines the service wrote, since vigil started
  std::optional<double> output_idle, watchdog_age;
  std::optional<double> data_age;
  std::map<std::string, std::optional<double>> custom;  // the service's `metrics`
  std::string store_error;                              // why data_age / custom have no value
  std::optional<double> data_timestamp;                 // the freshness timestamp read (unix seconds)

  std::vector<ProbeView> probes;              // its probes, by name
  std::vector<LogCounterView> log_counters;   // its log_match counters, by name
  bool startup_held = false;                  // a startup probe has not passed yet in this run
  std::vector<RuleStateView> rule_states;     // each rule that applies to it (filled from the alerts)

  // Thresholds of the rules that are simple comparisons (`data_age > 60s`), by the rules' severity,
  // in base units: the warn/crit of monitoring-plugin perfdata. Filled in from the rules.
  struct Thresholds {
    std::optional<double> warning, critical;
  };
  std::map<std::string, Thresholds> thresholds;

  // Health: the worst firing alert (Ok when none), filled in from the alerts.
  Health health = Health::Ok;
  std::string health_summary;

  /// Starts within the last `window_seconds` (restarts(WINDOW) in rules).
  int starts_within(double window_seconds) const;
};

/// A pending or firing alert as status shows it.
struct AlertView {
  std::string rule, service;
  Severity severity = Severity::Warning;
  AlertState state = AlertState::Pending;
  std::string summary, value;
  std::map<std::string, std::string> values;
  double since = 0;  // seconds in this state
  int count = 1;
  std::string muted_by;
  std::optional<double> no_data_since;  // unix seconds since which it could not be evaluated
  std::string action;                   // "restart requested", "restart skipped: service is failed"
};

struct RulesView {
  std::string path;        // "" when there is no rules file
  bool loaded = false;     // a rule set is in force
  int rules = 0;
  double loaded_at = 0;    // unix seconds of the rule set in force
  std::string error;       // the last rejected edit (FILE:LINE:COL: ...), "" once a save is accepted
  std::string watch_error; // why edits are not picked up automatically
};

struct NotifierView {
  std::string name, type;
  std::uint64_t sent = 0, failed = 0, dropped = 0;
  std::string last_error;
  double last_error_at = 0;
};

struct StoreState {
  bool configured = false;
  bool up = false;
  std::string error;  // why it is down
  bool keyspace_events = false;  // writes to watched keys are heard as they happen
};

/// The last config reload (SIGHUP / vigil reload), as `vigil status NAME` shows it.
struct ReloadView {
  double at = 0;         // unix seconds; 0 = none since vigil started
  bool ok = true;
  std::string result;    // what changed ("+api ~web (...)"), or why it was refused
};

struct Snapshot {
  std::string version;
  pid_t pid = 0;
  double uptime = 0;
  double taken_at = 0;  // unix seconds
  std::string config_path;
  double config_loaded_at = 0;  // unix seconds: when the config in force was read
  bool cgroups = false;           // runs are kept in their own cgroups (containment.hpp), else process groups
  std::string containment_detail; // the cgroup root, or why runs are in process groups only
  StoreState store;
  std::vector<ServiceSnapshot> services;
  std::vector<JobSnapshot> jobs;
  std::vector<AlertView> alerts;  // pending and firing, most severe first
  RulesView rules;
  std::vector<NotifierView> notifiers;
  ReloadView reload;
};

/// The documented status object (docs/status.md), on one line: status.json and the control
/// protocol's reply. `only` keeps just those services (and their alerts); empty = all.
std::string to_json(const Snapshot& snapshot, const std::vector<std::string>& only = {});
/// The jobs array alone (the control socket's `jobs` reply), one line.
std::string jobs_json(const std::vector<JobSnapshot>& jobs);
/// The alerts array alone, one line.
std::string alerts_json(const Snapshot& snapshot);

}  // namespace vigil
