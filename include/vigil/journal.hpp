#pragma once
// journald (see journal.cpp). Every call is safe without a journal: it just reports an error.
#include <string>
#include <vector>

namespace vigil {

/// vigil runs as a systemd service: its stdout/stderr already go to the journal (JOURNAL_STREAM),
/// or systemd started it (INVOCATION_ID).
bool running_under_systemd();

/// One entry from "FIELD=value" strings (MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER=, ...).
/// Returns 0 or a negative errno. Thread-safe.
int journal_send(const std::vector<std::string>& fields);

}  // namespace vigil
