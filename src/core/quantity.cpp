#include "vigil/quantity.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil {
namespace {

// Below 2^63, so every accepted size also fits the signed counters it is compared with.
constexpr double kMaxSizeBytes = 9e18;

struct Unit {
  std::string_view name;
  double factor;
};

// Splits "1.5s" into 1.5 and "s". Accepts digits with at most one dot; no sign, no exponent.
bool split_number(std::string_view text, double* number, std::string_view* unit) {
  std::size_t i = 0;
  bool digits = false, dot = false;
  while (i < text.size()) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++i;
  }
  if (!digits) return false;
  std::string num(text.substr(0, i));
  char* end = nullptr;
  *number = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(*number)) return false;
  std::string_view rest = text.substr(i);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  *unit = rest;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* err) {
  static constexpr Unit kUnits[] = {{"ms", 1},           {"s", 1000},           {"m", 60'000},
                                    {"h", 3'600'000},    {"d", 86'400'000}};
  text = trim(text);
  double number = 0;
  std::string_view unit;
  auto fail = [&] {
    if (err)
      *err = "invalid duration '" + std::string(text) +
             "': expected a number and a unit ms, s, m, h or d (e.g. \"30s\", \"1.5m\")";
    return std::nullopt;
  };
  if (!split_number(text, &number, &unit)) return fail();
  if (unit.empty()) {
    if (number == 0) return Duration(0);
    if (err)
      *err = "duration '" + std::string(text) + "' has no unit: write \"" + std::string(text) +
             "s\" for seconds or \"" + std::string(text) + "ms\" for milliseconds";
    return std::nullopt;
  }
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      double ms = number * u.factor;
      if (ms > 1e15) {
        if (err) *err = "duration '" + std::string(text) + "' is too long";
        return std::nullopt;
      }
      return Duration(static_cast<std::int64_t>(std::llround(ms)));
    }
  }
  return fail();
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string* err) {
  static constexpr Unit kUnits[] = {{"B", 1},
                                    {"KB", 1e3},
                                    {"MB", 1e6},
                                    {"GB", 1e9},
                                    {"TB", 1e12},
                                    {"KiB", 1024.0},
                                    {"MiB", 1024.0 * 1024},
                                    {"GiB", 1024.0 * 1024 * 1024},
                                    {"TiB", 1024.0 * 1024 * 1024 * 1024}};
  text = trim(text);
  double number = 0;
  std::string_view unit;
  if (!split_number(text, &number, &unit)) {
    if (err)
      *err = "invalid size '" + std::string(text) +
             "': expected a number and a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. \"50MB\")";
    return std::nullopt;
  }
  // Checked before the cast: converting a double beyond the integer's range is undefined.
  auto in_range = [&](double bytes) -> std::optional<std::uint64_t> {
    if (bytes > kMaxSizeBytes) {
      if (err) *err = "size '" + std::string(text) + "' is too large (at most 9EB)";
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::llround(bytes));
  };
  if (unit.empty()) return in_range(std::floor(number));
  for (const Unit& u : kUnits) {
    if (unit == u.name) return in_range(number * u.factor);
  }
  if (err)
    *err = "unknown size unit '" + std::string(unit) + "' in '" + std::string(text) +
           "': use B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024)";
  return std::nullopt;
}

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  char buf[64];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    if (ms % 1000 == 0)
      std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ms / 1000));
    else
      std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ms) / 1000.0);
  } else {
    std::int64_t s = ms / 1000;
    std::int64_t days = s / 86400, hours = (s % 86400) / 3600, mins = (s % 3600) / 60, secs = s % 60;
    std::string out;
    if (days) out += std::to_string(days) + "d";
    if (hours) out += std::to_string(hours) + "h";
    if (mins) out += std::to_string(mins) + "m";
    if (secs) out += std::to_string(secs) + "s";
    return out;
  }
  return buf;
}

std::string format_seconds(double seconds, DurationStyle style) {
  if (!(seconds >= 0)) seconds = 0;  // negative, or NaN
  if (seconds >= 1e15) {
    // Past what the integer formats below hold (a window typed as 355555555555555555559s): as a
    // number, never an out-of-range conversion.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3gs", seconds);
    return buf;
  }
  if (style == DurationStyle::Compact) {
    if (seconds < 10) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.1fs", seconds);
      return buf;
    }
    long t = std::lround(seconds);
    long d = t / 86400, h = t % 86400 / 3600, m = t % 3600 / 60, sec = t % 60;
    std::string out;
    if (d) out += std::to_string(d) + "d";
    if (h) out += std::to_string(h) + "h";
    if (m && !d) out += std::to_string(m) + "m";
    if (!d && !h) out += std::to_string(sec) + "s";
    return out;
  }
  if (seconds < 60) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    return buf;
  }
  return format_duration(Duration(static_cast<std::int64_t>(seconds * 1000)));
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* kNames[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int i = 0;
  while (v >= 1000 && i < 4) {
    v /= 1000;
    ++i;
  }
  char buf[32];
  if (v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f%s", v, kNames[i]);
  else
    std::snprintf(buf, sizeof buf, "%.1f%s", v, kNames[i]);
  return buf;
}

}  // namespace vigil
