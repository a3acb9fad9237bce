#include "vigil/proc_parse.hpp"

#include <limits>

namespace vigil {
namespace {

// Reads a (possibly negative) decimal field and skips the following space. A field beyond the
// int64 range is malformed text, not a number to wrap.
bool next_number(std::string_view& s, std::int64_t* out) {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && s[i] == '-') {
    neg = true;
    ++i;
  }
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  std::int64_t v = 0;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    int digit = s[i++] - '0';
    if (v > (kMax - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = neg ? -v : v;
  while (i < s.size() && s[i] == ' ') ++i;
  s.remove_prefix(i);
  return true;
}

bool skip_field(std::string_view& s) {
  std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return false;
  s.remove_prefix(sp + 1);
  return true;
}

}  // namespace

bool parse_proc_stat(std::string_view text, ProcStat* out) {
  std::int64_t v = 0;
  std::string_view s = text;
  if (!next_number(s, &v)) return false;
  out->pid = static_cast<pid_t>(v);
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return false;
  s = text.substr(close + 2);  // field 3 onwards
  out->state = s[0];
  if (!skip_field(s)) return false;
  std::int64_t f[21] = {};  // fields 4..24; 25 (rsslim) may not fit an int64 and is not needed
  for (int i = 0; i < 21; ++i)
    if (!next_number(s, &f[i])) return false;
  out->ppid = static_cast<pid_t>(f[0]);        // 4
  out->pgrp = static_cast<pid_t>(f[1]);        // 5
  out->session = static_cast<pid_t>(f[2]);     // 6
  out->utime = static_cast<std::uint64_t>(f[10]);   // 14
  out->stime = static_cast<std::uint64_t>(f[11]);   // 15
  out->num_threads = f[16];                          // 20
  out->starttime = static_cast<std::uint64_t>(f[18]);  // 22
  out->rss_pages = f[20];                            // 24
  return true;
}

std::optional<std::uint64_t> parse_schedstat_runtime(std::string_view text) {
  std::int64_t v = 0;
  if (!next_number(text, &v) || v < 0) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

}  // namespace vigil
