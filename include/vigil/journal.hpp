#pragma once
// journald (see journal.cpp). Every call is safe without a journal: it just reports an error.
#include <optional>
#include <string>
#include <vector>

namespace vigil {

/// vigil runs as a systemd service: its stdout/stderr already go to the journal (JOURNAL_STREAM),
/// or systemd started it (INVOCATION_ID).
bool running_under_systemd();

/// journald listens here (its socket exists and is writable).
bool journal_available();

/// Whether child lines and vigil's events go to journald: `[vigil] journal` if set, else when
/// running under systemd; never when no journald listens (libsystemd would drop them silently).
bool use_journal(std::optional<bool> configured);

/// One entry from "FIELD=value" strings (MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER=, ...).
/// Returns 0 or a negative errno. Thread-safe.
int journal_send(const std::vector<std::string>& fields);

}  // namespace vigil
