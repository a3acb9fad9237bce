#pragma once
// Parsing the kernel's /proc text for process sampling. Pure: text in, numbers out, no allocation.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil {

/// The fields of /proc/PID/stat that sampling needs (proc(5) numbering in comments).
struct ProcStat {
  pid_t pid = 0;
  char state = '?';            // (3) R S D Z T ...
  pid_t ppid = 0;              // (4)
  pid_t pgrp = 0;              // (5)
  pid_t session = 0;           // (6)
  std::uint64_t utime = 0;     // (14) clock ticks
  std::uint64_t stime = 0;     // (15)
  std::int64_t num_threads = 0;  // (20)
  std::uint64_t starttime = 0;   // (22) ticks after boot: tells a reused pid apart
  std::int64_t rss_pages = 0;    // (24)
};

/// Parses one /proc/PID/stat line. The command name (2) may contain spaces and ')' — the fields
/// after it are found from the *last* ')'. Returns false on malformed text.
bool parse_proc_stat(std::string_view text, ProcStat* out);

/// The first field of /proc/PID/schedstat ("8049159 1071292 4"): nanoseconds the task has run
/// on a CPU, exact where stat's ticks are not (a process that ran 50 us since the last look shows
/// it here, not in stat). nullopt on malformed text.
std::optional<std::uint64_t> parse_schedstat_runtime(std::string_view text);

/// Calls on_pid(pid_t) for each number in a /proc/PID/task/TID/children list ("12 34 56 ").
/// A run of digits too long to be a pid is skipped rather than overflowed into a wrong one.
template <class OnPid>
void parse_children(std::string_view text, OnPid&& on_pid) {
  constexpr std::int64_t kMaxPid = 0x7fffffff;
  std::int64_t cur = 0;
  bool in = false, too_long = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (cur > kMaxPid / 10)
        too_long = true;
      else
        cur = cur * 10 + (c - '0');
      in = true;
    } else if (in) {
      if (!too_long && cur <= kMaxPid) on_pid(static_cast<pid_t>(cur));
      cur = 0;
      in = too_long = false;
    }
  }
  if (in && !too_long && cur <= kMaxPid) on_pid(static_cast<pid_t>(cur));
}

}  // namespace vigil
