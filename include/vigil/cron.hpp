#pragma once
// Job schedules: cron expressions and their next run in a time zone. Pure: text in, values out.
//
// Syntax (docs/jobs.md): five fields "minute hour day-of-month month day-of-week", each a list of
// `*`, `N`, `A-B`, with an optional `/STEP`; month and weekday names (JAN, mon); weekday 7 = Sunday;
// @hourly @daily @midnight @weekly @monthly @yearly @annually. When both day fields are restricted a
// day matches either of them (Vixie cron's rule).
//
// Daylight-saving changes (the rules of ISC/Vixie cron, which operators know):
// - a wall-clock time skipped by a spring-forward change runs at the first instant after the change
//   when the hour field is fixed (a 02:30 nightly job still runs that night); a job whose hour field
//   starts with `*` runs every existing hour and has no run in the hour that does not exist;
// - a wall-clock time that happens twice in a fall-back change runs once, at its first occurrence,
//   when the hour field is fixed; with an hour field starting with `*` it runs in both passes.
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/time_zone.hpp"

namespace vigil {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1-31
  std::bitset<13> months;    // 1-12
  std::bitset<7> weekdays;   // 0 = Sunday
  bool days_star = false;     // day-of-month field starts with `*`
  bool weekdays_star = false;  // day-of-week field starts with `*`
  bool hours_star = false;     // hour field starts with `*` (see the DST rules above)
};

struct CronError {
  std::size_t column = 0;  // 0-based offset into the expression of the field at fault
  std::string message;
};

/// Parses a cron expression; on failure fills *err with the offending field's position.
/// A schedule that can never fire ("0 0 30 2 *") is an error too.
std::optional<CronSchedule> parse_cron(std::string_view text, CronError* err);

/// The first wall-clock minute (local seconds since the epoch, as if the zone were UTC) at or after
/// `local` that the fields match; nullopt when none within eight years.
std::optional<std::int64_t> next_local_match(const CronSchedule& s, std::int64_t local);

/// The first UTC second strictly after `after` at which the schedule fires in `zone`.
std::optional<std::int64_t> next_run(const CronSchedule& s, const TimeZone& zone, std::int64_t after);

}  // namespace vigil
