// Alert delivery to journald: the alert as one structured entry, sent through journal.hpp (the
// journal adapter knows nothing of alerts).
#include <syslog.h>

#include <cerrno>
#include <cstring>

#include "vigil/alert_payload.hpp"
#include "vigil/journal.hpp"
#include "vigil/notify_delivery.hpp"

namespace vigil {

std::string deliver_journal(const Notification& n) {
  const Alert& a = n.alert;
  int priority = n.kind == Notification::Kind::Resolved ? LOG_NOTICE
                 : a.severity == Severity::Critical     ? LOG_CRIT
                 : a.severity == Severity::Warning      ? LOG_WARNING
                                                        : LOG_INFO;
  std::string state(state_word(n));
  int rc = journal_send({"MESSAGE=alert " + a.rule + " " + state + ": " + a.summary,
                         "PRIORITY=" + std::to_string(priority), "SYSLOG_IDENTIFIER=vigil", "VIGIL_EVENT=alert",
                         "VIGIL_RULE=" + a.rule, "VIGIL_SERVICE=" + a.service,
                         "VIGIL_SEVERITY=" + std::string(to_string(a.severity)), "VIGIL_ALERT_STATE=" + state});
  // No journald (not under systemd) is not a delivery failure: there is simply no journal here.
  if (rc < 0 && rc != -ENOENT && rc != -ECONNREFUSED) return std::string("sd_journal_send: ") + std::strerror(-rc);
  return "";
}

}  // namespace vigil
