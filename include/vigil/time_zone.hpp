#pragma once
// UTC offsets of a named time zone, for job schedules (`timezone = "Europe/Berlin"`).
//
// Why our own small TZif reader (RFC 8536) instead of a library:
// - g++ 12's libstdc++ has no std::chrono::locate_zone (it arrives with GCC 14);
// - Debian 12's Hinnant date 3.0.1 in its system-tzdata mode ignores the TZif footer rule, so it is
//   wrong after a file's last listed transition (2037 in "fat" files, at once in "slim" ones);
// - localtime_r() takes the zone from the process-wide TZ variable, and setenv() is not thread-safe.
// parse_tzif() and parse_posix_tz() are pure (bytes in, zone out) so they can be fuzzed;
// load_time_zone() is the only function that reads a file.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// One date of a POSIX TZ rule ("M3.5.0/2", "J60", "59").
struct PosixTzDate {
  enum class Kind { JulianNoLeap, ZeroBasedDay, MonthWeekDay };
  Kind kind = Kind::MonthWeekDay;
  int month = 0, week = 0, weekday = 0;  // MonthWeekDay: month 1-12, week 1-5 (5 = last), weekday 0-6
  int day = 0;                           // JulianNoLeap 1-365, ZeroBasedDay 0-365
  std::int32_t time = 7200;              // seconds after local midnight (may be negative or past 24h)
};

/// The rule a TZif footer gives for times after the last transition: "CET-1CEST,M3.5.0,M10.5.0/3".
struct PosixTz {
  std::int32_t std_offset = 0;  // seconds east of UTC (the TZ string writes them west: "CET-1")
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  PosixTzDate start, end;  // local dates: start in standard time, end in daylight time

  std::int32_t offset_at(std::int64_t utc_seconds) const;
};

class TimeZone {
 public:
  static TimeZone utc();

  const std::string& name() const { return name_; }

  /// Seconds to add to a UTC instant to get the local wall-clock time at that instant.
  std::int32_t offset_at(std::int64_t utc_seconds) const;

  /// The smallest and largest offset the zone ever uses (bounds for local-time searches).
  std::int32_t min_offset() const { return min_offset_; }
  std::int32_t max_offset() const { return max_offset_; }

 private:
  friend std::optional<TimeZone> parse_tzif(std::string_view, std::string, std::string*);
  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;   // UTC seconds, ascending
  std::vector<std::int32_t> offset_after_;  // offset from transitions_[i] on
  std::int32_t initial_offset_ = 0;         // before the first transition
  std::optional<PosixTz> footer_;           // after the last transition
  std::int32_t min_offset_ = 0, max_offset_ = 0;
};

/// A TZif file's bytes (version 1, 2, 3 or 4) → zone. Leap-second ("right/") zones are refused.
std::optional<TimeZone> parse_tzif(std::string_view bytes, std::string name, std::string* err);

/// A POSIX TZ string as in TZif footers (RFC 8536 §3.3.1 extensions included).
std::optional<PosixTz> parse_posix_tz(std::string_view text, std::string* err);

/// "UTC" (no file needed) or an IANA name read from $TZDIR (default /usr/share/zoneinfo).
/// Reads a file: call it while loading the config, never on the event loop.
std::optional<TimeZone> load_time_zone(const std::string& name, std::string* err);

/// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t* y, unsigned* m, unsigned* d);

}  // namespace vigil
