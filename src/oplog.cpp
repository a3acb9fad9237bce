#include "vigil/oplog.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "vigil/quantity.hpp"

namespace vigil::oplog {
namespace {

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = spdlog::stderr_logger_st("vigil");
    lg->set_pattern("%Y-%m-%dT%H:%M:%S.%e %-5l %v");
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return l;
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

void init(bool debug_enabled) {
  logger()->set_level(debug_enabled ? spdlog::level::debug : spdlog::level::info);
}

void info(const std::string& msg) { logger()->info(msg); }
void warn(const std::string& msg) { logger()->warn(msg); }
void error(const std::string& msg) { logger()->error(msg); }
void debug(const std::string& msg) { logger()->debug(msg); }

void state_changed(const std::string& svc, State from, State to, Event why) {
  logger()->info("{}: {} -> {} ({})", svc, to_string(from), to_string(to), to_string(why));
}

void started(const std::string& svc, int pid, const std::string& program) {
  logger()->info("{}: started {} as pid {}", svc, program, pid);
}

void ended(const std::string& svc, const ExitStatus& exit, double ran_seconds, const Decision& next,
           const RestartPolicy& policy) {
  // Dying of the stop signal vigil sent is the expected end of a stop, not news.
  bool expected = exit.success() || (next.verdict == Verdict::StayDown && next.reason == "stop requested") ||
                  next.verdict == Verdict::RestartNow;
  auto level = expected ? spdlog::level::info : spdlog::level::warn;
  if (next.verdict == Verdict::GiveUp) level = spdlog::level::err;
  logger()->log(level, "{}: {} after {} (cpu {:.2f}s, peak rss {}); {}", svc, exit.describe(),
                format_seconds(ran_seconds), exit.cpu_seconds, format_size(exit.max_rss),
                next_step(next, policy));
}

void spawn_failed(const std::string& svc, const std::string& err, const Decision& next,
                  const RestartPolicy& policy) {
  auto level = next.verdict == Verdict::GiveUp ? spdlog::level::err : spdlog::level::warn;
  logger()->log(level, "{}: could not start: {}; {}", svc, err, next_step(next, policy));
}

void stop_escalated(const std::string& svc, int pgid, const std::string& timeout) {
  logger()->warn("{}: still running {} after the stop signal; sending SIGKILL to process group {}", svc,
                 timeout, pgid);
}

void leftovers_killed(const std::string& svc, int pgid) {
  logger()->warn("{}: main process gone but process group {} still has processes; killing them", svc, pgid);
}

void fault(const std::string& svc, const std::string& reason) {
  logger()->warn("{}: {}; restarting it", svc, reason);
}

void rules_loaded(const std::string& path, int count, const std::string& changes) {
  logger()->info("rules {} in force: {} rules{}", path, count, changes.empty() ? "" : " (changed:" + changes + ")");
}

void rules_rejected(const std::string& path, const std::string& errors, int kept) {
  logger()->error("rules {} rejected; the {} rules in force stay:\n{}", path, kept, errors);
}

void config_rejected(const std::string& path, const std::string& errors) {
  logger()->error("config {} rejected on reload; the config in force stays:\n{}", path, errors);
}

void alert(const std::string& rule, const std::string& service, const std::string& severity, const std::string& state,
           const std::string& summary, const std::vector<std::string>& targets, const std::string& muted_by) {
  std::string to;
  for (const auto& t : targets) to += (to.empty() ? "" : ", ") + t;
  std::string tail = !muted_by.empty() ? " (not sent: " + muted_by + ")" : to.empty() ? "" : " -> " + to;
  auto level = state == "resolved" ? spdlog::level::info
               : severity == "critical" ? spdlog::level::err
               : severity == "warning"  ? spdlog::level::warn
                                        : spdlog::level::info;
  logger()->log(level, "ALERT {} {} [{}] for {}: {}{}", rule, state, severity, service, summary, tail);
}

void notify_failed(const std::string& channel, const std::string& what, const std::string& error, bool gave_up) {
  logger()->warn("notifier {} could not deliver {}: {}; {}", channel, what, error,
                 gave_up ? "giving up on this notification" : "retrying");
}

void store_changed(const std::string& store, bool up, const std::string& why) {
  if (up)
    logger()->info("store {} is up", store);
  else
    logger()->warn("store {} is down: {}; data_age and store metrics have no value until it answers again; "
                   "reconnecting with backoff", store, why);
}

void log_write_failed(const std::string& svc, const std::string& err) {
  logger()->error("{}: child output is being lost: {}; supervision continues, will retry on the next line",
                  svc, err);
}

void log_write_recovered(const std::string& svc) {
  logger()->info("{}: child log writable again", svc);
}

void log_lines_dropped(const std::string& svc, unsigned long long lines) {
  logger()->warn("{}: dropped {} output lines because the log writer fell behind (log_overflow = \"drop\")",
                 svc, lines);
}

}  // namespace vigil::oplog
