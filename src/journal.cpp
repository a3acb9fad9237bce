// journald, through libsystemd: the only sd-journal include. Child output, vigil's own events
// and alert notifications all go through here when vigil runs under systemd.
#include "vigil/journal.hpp"

#include <systemd/sd-journal.h>
#include <syslog.h>
#include <sys/uio.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "vigil/alert_payload.hpp"
#include "vigil/notify_delivery.hpp"

namespace vigil {

bool running_under_systemd() { return std::getenv("JOURNAL_STREAM") || std::getenv("INVOCATION_ID"); }

// sd_journal_send() reports success when there is no journald at all (it "fails silently"), so
// whether a journal listens must be checked here, once, before lines are sent into the void.
bool journal_available() { return ::access("/run/systemd/journal/socket", W_OK) == 0; }

bool use_journal(std::optional<bool> configured) {
  bool wanted = configured.value_or(running_under_systemd());
  return wanted && journal_available();
}

int journal_send(const std::vector<std::string>& fields) {
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

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
