#pragma once
// vigil's own log for the operator: one function per kind of event, so the wording is consistent and
// every line says what happened, to which service, and what vigil does next. Written to stderr
// (the journal, under systemd). This file's .cpp is the only one that includes spdlog.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "vigil/exit_status.hpp"
#include "vigil/restart_policy.hpp"
#include "vigil/service_state.hpp"
#include "vigil/severity.hpp"

namespace vigil::oplog {

/// Call once at startup. debug=true also logs ignored events; journal=true sends every line to
/// journald as a structured entry (VIGIL_EVENT=, VIGIL_SERVICE=, VIGIL_RULE=, VIGIL_SEVERITY=).
void init(bool debug, bool journal = false);

void info(const std::string& msg);
void warn(const std::string& msg);
void error(const std::string& msg);
void debug(const std::string& msg);

// Service lifecycle.
void state_changed(const std::string& svc, State from, State to, Event why);
void started(const std::string& svc, int pid, const std::string& program);
void ended(const std::string& svc, const ExitStatus& exit, double ran_seconds, const Decision& next,
           const RestartPolicy& policy);
void spawn_failed(const std::string& svc, const std::string& error, const Decision& next,
                  const RestartPolicy& policy);
/// `group`: RunGroup::describe(), "process group 123" (and its cgroup).
void stop_escalated(const std::string& svc, const std::string& group, const std::string& timeout);
void leftovers_killed(const std::string& svc, const std::string& group);
void fault(const std::string& svc, const std::string& reason);

// Rules and alerts.
void rules_loaded(const std::string& path, int count, const std::string& changes);
void rules_rejected(const std::string& path, const std::string& errors, int kept);
void config_rejected(const std::string& path, const std::string& errors);
void alert(const std::string& rule, const std::string& service, Severity severity, const std::string& state,
           const std::string& summary, const std::vector<std::string>& targets, bool muted, const std::string& why);
void notify_failed(const std::string& channel, const std::string& what, const std::string& error, bool gave_up);

// The store.
void store_changed(const std::string& store, bool up, const std::string& why);

// Child logs.
void log_write_failed(const std::string& svc, const std::string& error, bool held);
void log_write_recovered(const std::string& svc, unsigned long long lost_lines);
void log_rotate_failed(const std::string& svc, const std::string& error);
void log_lines_dropped(const std::string& svc, unsigned long long lines);

// The control socket.
void control_accept_starved(const std::string& error);
void control_accepting_again(std::chrono::steady_clock::duration starved_for);

}  // namespace vigil::oplog
