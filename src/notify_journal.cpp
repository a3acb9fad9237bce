#include <systemd/sd-journal.h>
#include <syslog.h>

#include <cstring>

#include "vigil/alert_payload.hpp"
#include "vigil/notify_delivery.hpp"

namespace vigil {

std::string deliver_journal(const Notification& n) {
  const Alert& a = n.alert;
  int priority = n.kind == Notification::Kind::Resolved ? LOG_NOTICE
                 : a.severity == Severity::Critical     ? LOG_CRIT
                 : a.severity == Severity::Warning      ? LOG_WARNING
                                                        : LOG_INFO;
  std::string state(state_word(n));
  int rc = sd_journal_send("MESSAGE=alert %s %s: %s", a.rule.c_str(), state.c_str(), a.summary.c_str(),
                           "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=vigil", "VIGIL_EVENT=alert",
                           "VIGIL_RULE=%s", a.rule.c_str(), "VIGIL_SERVICE=%s", a.service.c_str(),
                           "VIGIL_SEVERITY=%s", std::string(to_string(a.severity)).c_str(), "VIGIL_ALERT_STATE=%s",
                           state.c_str(), nullptr);
  // No journald (not under systemd) is not a delivery failure: there is simply no journal here.
  if (rc < 0 && rc != -ENOENT && rc != -ECONNREFUSED) return std::string("sd_journal_send: ") + std::strerror(-rc);
  return "";
}

}  // namespace vigil
