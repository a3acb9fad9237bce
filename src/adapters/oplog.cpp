#include "vigil/oplog.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "vigil/journal.hpp"
#include "vigil/quantity.hpp"

namespace vigil::oplog {
namespace {

bool g_journal = false;

// What an event is about, as journal fields (VIGIL_SERVICE=, VIGIL_RULE=, VIGIL_SEVERITY=).
struct About {
  std::string service, rule, severity;
};

int syslog_priority(spdlog::level::level_enum l) {
  if (l >= spdlog::level::critical) return 2;
  if (l == spdlog::level::err) return 3;
  if (l == spdlog::level::warn) return 4;
  if (l == spdlog::level::info) return 6;
  return 7;
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = spdlog::stderr_logger_st("vigil");
    lg->set_pattern("%Y-%m-%dT%H:%M:%S.%e %-5l %v");
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return l;
}

// Every line goes through here: stderr normally; under systemd one structured journal entry
// (stderr would reach the journal too, but as flat text).
void emit(spdlog::level::level_enum level, const char* event, const std::string& msg, const About& about = {}) {
  if (!logger()->should_log(level)) return;
  if (g_journal) {
    std::vector<std::string> f = {"MESSAGE=" + msg, "PRIORITY=" + std::to_string(syslog_priority(level)),
                                  "SYSLOG_IDENTIFIER=vigil", std::string("VIGIL_EVENT=") + event};
    if (!about.service.empty()) f.push_back("VIGIL_SERVICE=" + about.service);
    if (!about.rule.empty()) f.push_back("VIGIL_RULE=" + about.rule);
    if (!about.severity.empty()) f.push_back("VIGIL_SEVERITY=" + about.severity);
    if (journal_send(f) >= 0) return;  // no journal after all: fall back to stderr
  }
  logger()->log(level, msg);
}

std::string next_step(const Decision& next, const RestartPolicy& policy) {
  switch (next.verdict) {
    case Verdict::RestartNow:
      return "starting it again now";
    case Verdict::RestartLater:
      return "restarting in " + format_duration(next.delay) + " (attempt " + std::to_string(next.attempt) +
             " of " + std::to_string(policy.start_limit_burst) + ")";
    case Verdict::StayDown:
      return "not restarting: " + next.reason;
    case Verdict::GiveUp:
      return "GIVING UP after " + next.reason + "; state failed, " +
             (policy.failed_retry ? "next try in " + format_duration(*policy.failed_retry)
                                  : std::string("no automatic retry (failed_retry = \"never\")")) +
             "; `vigil start` tries again now";
  }
  return {};
}

}  // namespace

void init(bool debug_enabled, bool journal) {
  logger()->set_level(debug_enabled ? spdlog::level::debug : spdlog::level::info);
  g_journal = journal;
}

void info(const std::string& msg) { emit(spdlog::level::info, "message", msg); }
void warn(const std::string& msg) { emit(spdlog::level::warn, "message", msg); }
void error(const std::string& msg) { emit(spdlog::level::err, "message", msg); }
void debug(const std::string& msg) { emit(spdlog::level::debug, "message", msg); }

void state_changed(const std::string& svc, State from, State to, Event why) {
  emit(spdlog::level::info, "state", fmt::format("{}: {} -> {} ({})", svc, to_string(from), to_string(to), to_string(why)),
       {svc, "", ""});
}

void started(const std::string& svc, int pid, const std::string& program) {
  emit(spdlog::level::info, "started", fmt::format("{}: started {} as pid {}", svc, program, pid), {svc, "", ""});
}

void ended(const std::string& svc, const ExitStatus& exit, double ran_seconds, const Decision& next,
           const RestartPolicy& policy) {
  // Dying of the stop signal vigil sent is the expected end of a stop, not news.
  bool expected = exit.success() || (next.verdict == Verdict::StayDown && next.reason == "stop requested") ||
                  next.verdict == Verdict::RestartNow;
  auto level = expected ? spdlog::level::info : spdlog::level::warn;
  if (next.verdict == Verdict::GiveUp) level = spdlog::level::err;
  emit(level, "exited",
       fmt::format("{}: {} after {} (cpu {:.2f}s{}); {}", svc, exit.describe(), format_seconds(ran_seconds),
                   exit.cpu_seconds, exit.max_rss > 0 ? ", peak rss " + format_size(exit.max_rss) : "",
                   next_step(next, policy)),
       {svc, "", ""});
}

void spawn_failed(const std::string& svc, const std::string& err, const Decision& next,
                  const RestartPolicy& policy) {
  auto level = next.verdict == Verdict::GiveUp ? spdlog::level::err : spdlog::level::warn;
  emit(level, "spawn_failed", fmt::format("{}: could not start: {}; {}", svc, err, next_step(next, policy)), {svc, "", ""});
}

void stop_escalated(const std::string& svc, const std::string& group, const std::string& timeout) {
  emit(spdlog::level::warn, "stop_escalated",
       fmt::format("{}: still running {} after the stop signal; sending SIGKILL to {}", svc, timeout, group),
       {svc, "", ""});
}

void leftovers_killed(const std::string& svc, const std::string& group) {
  emit(spdlog::level::warn, "leftovers_killed",
       fmt::format("{}: main process gone but {} still has processes; killing them", svc, group), {svc, "", ""});
}

void fault(const std::string& svc, const std::string& reason) {
  emit(spdlog::level::warn, "fault", fmt::format("{}: {}; restarting it", svc, reason), {svc, "", ""});
}

void rules_loaded(const std::string& path, int count, const std::string& changes) {
  emit(spdlog::level::info, "rules_loaded",
       fmt::format("rules {} in force: {} rules{}", path, count, changes.empty() ? "" : " (changed:" + changes + ")"));
}

void rules_rejected(const std::string& path, const std::string& errors, int kept) {
  emit(spdlog::level::err, "rules_rejected", fmt::format("rules {} rejected; the {} rules in force stay:\n{}", path, kept, errors));
}

void config_rejected(const std::string& path, const std::string& errors) {
  emit(spdlog::level::err, "config_rejected", fmt::format("config {} rejected on reload; the config in force stays:\n{}", path, errors));
}

void alert(const std::string& rule, const std::string& service, Severity severity, const std::string& state,
           const std::string& summary, const std::vector<std::string>& targets, bool muted, const std::string& why) {
  std::string to;
  for (const auto& t : targets) to += (to.empty() ? "" : ", ") + t;
  // Exactly what happened to this notification: handed to which notifiers, or held back and why.
  std::string tail = muted        ? " (not sent" + (to.empty() ? "" : " to " + to) + ": " + why + ")"
                     : to.empty() ? " (no notifier: shown in status only)"
                                  : " -> " + to;
  auto level = state == "resolved" ? spdlog::level::info
               : severity == Severity::Critical ? spdlog::level::err
               : severity == Severity::Warning  ? spdlog::level::warn
                                                : spdlog::level::info;
  std::string word(to_string(severity));
  emit(level, "alert", fmt::format("ALERT {} {} [{}] for {}: {}{}", rule, state, word, service, summary, tail),
       {service, rule, word});
}

void notify_failed(const std::string& channel, const std::string& what, const std::string& error, bool gave_up) {
  emit(spdlog::level::warn, "notify_failed",
       fmt::format("notifier {} could not deliver {}: {}; {}", channel, what, error,
                   gave_up ? "giving up on this notification" : "retrying"));
}

void store_changed(const std::string& store, bool up, const std::string& why) {
  if (up)
    emit(spdlog::level::info, "store", fmt::format("store {} is up", store));
  else
    emit(spdlog::level::warn, "store",
         fmt::format("store {} is down: {}; data_age and store metrics have no value until it answers again; "
                     "reconnecting with backoff", store, why));
}

void log_write_failed(const std::string& svc, const std::string& err, bool held) {
  if (held)
    emit(spdlog::level::err, "log_write_failed",
         fmt::format("{}: cannot write its log: {}; its output is held and retried (log_overflow = \"block\": "
                     "the service waits on its output once the queue is full); supervision continues",
                     svc, err),
         {svc, "", ""});
  else
    emit(spdlog::level::err, "log_write_failed",
         fmt::format("{}: child output is being lost: {}; lost lines are counted; supervision continues, "
                     "will retry on the next line", svc, err),
         {svc, "", ""});
}

void log_write_recovered(const std::string& svc, unsigned long long lost_lines) {
  emit(spdlog::level::info, "log_write_recovered",
       lost_lines == 0 ? fmt::format("{}: child log writable again; no line was lost", svc)
                       : fmt::format("{}: child log writable again; {} lines were lost meanwhile (marked in the log)",
                                     svc, lost_lines),
       {svc, "", ""});
}

void log_rotate_failed(const std::string& svc, const std::string& err) {
  emit(spdlog::level::err, "log_rotate_failed",
       fmt::format("{}: cannot rotate its log: {}; the file grows past log_max_size until rotation works "
                   "(tried again at every write past the limit)", svc, err),
       {svc, "", ""});
}

void control_accept_starved(const std::string& error) {
  emit(spdlog::level::err, "control_starved",
       fmt::format("control socket cannot accept connections: {}; supervision continues; vigil status and other "
                   "commands wait until a file descriptor is free, retrying every 100ms (raise LimitNOFILE= if this "
                   "recurs)", error));
}

void control_accepting_again(std::chrono::steady_clock::duration starved_for) {
  emit(spdlog::level::info, "control_starved",
       fmt::format("control socket accepts connections again after {}",
                   format_duration(std::chrono::duration_cast<Duration>(starved_for))));
}

void log_lines_dropped(const std::string& svc, unsigned long long lines) {
  emit(spdlog::level::warn, "log_dropped",
       fmt::format("{}: dropped {} output lines because the log writer fell behind (log_overflow = \"drop\")", svc, lines),
       {svc, "", ""});
}

}  // namespace vigil::oplog
