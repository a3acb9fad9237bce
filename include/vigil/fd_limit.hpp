#pragma once
// vigil holds a few fds per service (pidfd, two output pipes, kept /proc files), so a thousand
// services need more than the usual soft limit of 1024 (systemd's default for user services).
// As systemd advises, vigil raises its own soft limit to the hard limit and gives children the
// limit it was started with: programs using select() break on fds above 1023.
#include <sys/resource.h>

namespace vigil {

/// Raises the soft RLIMIT_NOFILE to the hard limit; remembers the original for children.
/// Returns the soft limit now in force.
rlim_t raise_fd_limit();

/// In a forked child, before exec: puts back the limit vigil was started with.
/// Async-signal-safe (one setrlimit call); a no-op if raise_fd_limit was never called.
void restore_fd_limit_for_child();

}  // namespace vigil
