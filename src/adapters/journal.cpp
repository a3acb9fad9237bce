// journald, through libsystemd: the only sd-journal include. Child output, vigil's own events
// and alert notifications (notify_journal.cpp) all go through here when vigil runs under systemd.
// A leaf: it knows fields, not what they describe.
#include "vigil/journal.hpp"

#include <systemd/sd-journal.h>
#include <sys/uio.h>

#include <unistd.h>

#include <cstdlib>

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

}  // namespace vigil
