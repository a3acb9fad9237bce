#pragma once
// How a child ended, as the kernel told us through wait4(). Pure value + wording.
#include <chrono>
#include <cstdint>
#include <string>

namespace vigil {

struct ExitStatus {
  bool signaled = false;      // true: killed by `signal`; false: exited with `code`
  int code = 0;               // exit code when !signaled
  int signal = 0;             // signal number when signaled
  bool core_dumped = false;
  double cpu_seconds = 0;     // user + system CPU of the child, from rusage
  std::uint64_t max_rss = 0;  // peak RSS in bytes, from rusage (ru_maxrss is KiB on Linux); 0: not
                              // known, no more than vigil's own peak (reap_child says why)

  /// Builds from a raw wait status; never mistakes a signal death for an exit code (SIGTERM is not "exit 15").
  static ExitStatus from_wait_status(int wstatus);

  bool success() const { return !signaled && code == 0; }

  /// "exited with status 1" / "was killed by SIGKILL" / "was killed by SIGSEGV (core dumped)".
  std::string describe() const;
};

}  // namespace vigil
