#include "vigil/cron.hpp"

#include <gtest/gtest.h>

#include <ctime>

using namespace vigil;

namespace {

std::int64_t utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::string iso(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

CronSchedule cron(const char* text) {
  CronError err;
  auto s = parse_cron(text, &err);
  EXPECT_TRUE(s) << text << ": " << err.message;
  return s.value_or(CronSchedule{});
}

TimeZone zone(const char* name) {
  std::string err;
  auto z = load_time_zone(name, &err);
  EXPECT_TRUE(z) << err;
  return z.value_or(TimeZone::utc());
}

std::string next(const char* expr, const TimeZone& z, std::int64_t after) {
  auto n = next_run(cron(expr), z, after);
  return n ? iso(*n) : "never";
}

CronError parse_error(const char* text) {
  CronError err;
  EXPECT_FALSE(parse_cron(text, &err)) << text;
  return err;
}

}  // namespace

TEST(Civil, RoundTrips) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  for (std::int64_t d : {-1000000LL, -1LL, 0LL, 59LL, 11016LL, 20000LL, 2932896LL}) {
    std::int64_t y;
    unsigned m, dd;
    civil_from_days(d, &y, &m, &dd);
    EXPECT_EQ(days_from_civil(y, m, dd), d);
  }
}

TEST(Cron, DailyInUtc) {
  const TimeZone u = TimeZone::utc();
  EXPECT_EQ(next("@daily", u, utc(2026, 12, 1, 5, 13)), "2026-12-02T00:00:00Z");
  EXPECT_EQ(next("@daily", u, utc(2026, 12, 2)), "2026-12-03T00:00:00Z") << "strictly after";
  EXPECT_EQ(next("@daily", u, utc(2026, 12, 31, 23, 59, 59)), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("@hourly", u, utc(2026, 12, 1, 5, 13)), "2026-12-01T06:00:00Z");
  EXPECT_EQ(next("@weekly", u, utc(2026, 12, 1)), "2026-12-06T00:00:00Z");  // a Tuesday → Sunday
  EXPECT_EQ(next("@monthly", u, utc(2026, 12, 1)), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("@yearly", u, utc(2026, 12, 1)), "2027-01-01T00:00:00Z");
}

TEST(Cron, FieldsRangesStepsListsNames) {
  const TimeZone u = TimeZone::utc();
  EXPECT_EQ(next("*/15 * * * *", u, utc(2026, 1, 1, 10, 7)), "2026-01-01T10:15:00Z");
  EXPECT_EQ(next("5/20 * * * *", u, utc(2026, 1, 1, 10, 26)), "2026-01-01T10:45:00Z");
  EXPECT_EQ(next("0 9-17/4 * * *", u, utc(2026, 1, 1, 13, 1)), "2026-01-01T17:00:00Z");
  EXPECT_EQ(next("30 2,14 * * *", u, utc(2026, 1, 1, 3)), "2026-01-01T14:30:00Z");
  EXPECT_EQ(next("0 0 * * MON-FRI", u, utc(2026, 1, 2, 12)), "2026-01-05T00:00:00Z");  // Fri → Mon
  EXPECT_EQ(next("0 0 * * 7", u, utc(2026, 1, 1)), "2026-01-04T00:00:00Z");             // 7 = Sunday
  EXPECT_EQ(next("0 0 1 jun *", u, utc(2026, 1, 1)), "2026-06-01T00:00:00Z");
  EXPECT_EQ(next("0 0 29 2 *", u, utc(2026, 1, 1)), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 0 31 * *", u, utc(2026, 4, 1)), "2026-05-31T00:00:00Z");
}

TEST(Cron, BothDayFieldsMeanEither) {
  const TimeZone u = TimeZone::utc();
  // 2026-02-06 is a Friday, before the 13th.
  EXPECT_EQ(next("0 0 13 * FRI", u, utc(2026, 2, 1)), "2026-02-06T00:00:00Z");
  EXPECT_EQ(next("0 0 13 * FRI", u, utc(2026, 2, 12)), "2026-02-13T00:00:00Z");
  // With one field `*` the other alone decides; `*/2` counts as `*` (Vixie cron).
  EXPECT_EQ(next("0 0 */2 * FRI", u, utc(2026, 2, 1)), "2026-02-13T00:00:00Z");
}

TEST(Cron, BerlinSpringForwardRunsASkippedTimeAtTheChange) {
  const TimeZone b = zone("Europe/Berlin");
  // 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00 UTC): 02:30 does not exist that night.
  EXPECT_EQ(next("30 2 * * *", b, utc(2026, 3, 28, 12)), "2026-03-29T01:00:00Z");
  EXPECT_EQ(next("30 2 * * *", b, utc(2026, 3, 29, 1)), "2026-03-30T00:30:00Z");
  // Two fixed times inside the gap still run once.
  EXPECT_EQ(next("0,30 2 * * *", b, utc(2026, 3, 29, 1)), "2026-03-30T00:00:00Z");
  // Hourly jobs simply have no run in the hour that does not exist.
  EXPECT_EQ(next("30 * * * *", b, utc(2026, 3, 29, 0, 30)), "2026-03-29T01:30:00Z");
  // Fixed times follow the wall clock: 09:00 is 08:00 UTC in winter, 07:00 UTC in summer.
  EXPECT_EQ(next("0 9 * * *", b, utc(2026, 3, 28, 9)), "2026-03-29T07:00:00Z");
}

TEST(Cron, BerlinFallBackRunsARepeatedTimeOnceUnlessHourly) {
  const TimeZone b = zone("Europe/Berlin");
  // 2026-10-25 03:00 CEST falls back to 02:00 CET (01:00 UTC): 02:00-02:59 happens twice.
  EXPECT_EQ(next("30 2 * * *", b, utc(2026, 10, 24, 12)), "2026-10-25T00:30:00Z");
  EXPECT_EQ(next("30 2 * * *", b, utc(2026, 10, 25, 0, 30)), "2026-10-26T01:30:00Z");
  std::int64_t t = utc(2026, 10, 25, 0, 0);
  std::vector<std::string> runs;
  for (int i = 0; i < 4; ++i) {
    t = *next_run(cron("*/30 * * * *"), b, t);
    runs.push_back(iso(t));
  }
  EXPECT_EQ(runs, (std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z",
                                            "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"}));
}

TEST(Cron, FooterRuleAppliesAfterTheLastListedTransition) {
  const TimeZone b = zone("Europe/Berlin");
  EXPECT_EQ(b.offset_at(utc(2060, 7, 1)), 7200);
  EXPECT_EQ(b.offset_at(utc(2060, 12, 1)), 3600);
  EXPECT_EQ(next("0 12 * * *", b, utc(2060, 7, 1)), "2060-07-01T10:00:00Z");
  const TimeZone syd = zone("Australia/Sydney");  // southern hemisphere: summer time over new year
  EXPECT_EQ(syd.offset_at(utc(2061, 1, 1)), 11 * 3600);
  EXPECT_EQ(syd.offset_at(utc(2061, 7, 1)), 10 * 3600);
}

TEST(Cron, ErrorsPointAtTheField) {
  EXPECT_EQ(parse_error("0 25 * * *").column, 2u);
  EXPECT_EQ(parse_error("0 25 * * *").message, "hour: 25 is out of range 0-23");
  EXPECT_EQ(parse_error("* * * * 1-foo").column, 10u);
  EXPECT_EQ(parse_error("*/0 * * * *").column, 2u);
  EXPECT_EQ(parse_error("5-3 * * * *").message, "minute: range 5-3 runs backwards (write 3-5)");
  EXPECT_EQ(parse_error("* * * *").message,
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(parse_error("* * * * * *").column, 10u);
  EXPECT_EQ(parse_error("0 0 30 2 *").column, 4u);
  EXPECT_EQ(parse_error("1,,2 * * * *").column, 2u);
  EXPECT_EQ(parse_error("@reboot").column, 0u);
  EXPECT_EQ(parse_error("  0 0 0 * *").column, 6u) << "leading blanks count";
}

TEST(TimeZone, UnknownAndUnsafeNames) {
  std::string err;
  EXPECT_FALSE(load_time_zone("Europe/Berln", &err));
  EXPECT_NE(err.find("unknown time zone \"Europe/Berln\""), std::string::npos) << err;
  EXPECT_FALSE(load_time_zone("../etc/passwd", &err));
  EXPECT_FALSE(load_time_zone("/etc/passwd", &err));
  EXPECT_TRUE(load_time_zone("UTC", &err));
}

TEST(TimeZone, RejectsGarbageWithoutReadingPastTheEnd) {
  std::string err;
  EXPECT_FALSE(parse_tzif("", "x", &err));
  EXPECT_FALSE(parse_tzif("TZif2", "x", &err));
  std::string header = "TZif2" + std::string(15, '\0') + std::string(24, '\xff');
  EXPECT_FALSE(parse_tzif(header, "x", &err));
}

TEST(PosixTz, ParsesFooterRules) {
  std::string err;
  auto tz = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3", &err);
  ASSERT_TRUE(tz) << err;
  EXPECT_EQ(tz->std_offset, 3600);
  EXPECT_EQ(tz->dst_offset, 7200);
  EXPECT_EQ(tz->end.time, 3 * 3600);
  auto plain = parse_posix_tz("<+03>-3", &err);
  ASSERT_TRUE(plain) << err;
  EXPECT_EQ(plain->std_offset, 3 * 3600);
  EXPECT_FALSE(plain->has_dst);
  auto julian = parse_posix_tz("EST5EDT,J60/2,300/25", &err);
  ASSERT_TRUE(julian) << err;
  EXPECT_FALSE(parse_posix_tz("CET-1CEST", &err));
  EXPECT_FALSE(parse_posix_tz("C-1", &err));
  EXPECT_FALSE(parse_posix_tz("CET-1CEST,M13.5.0,M10.5.0", &err));
}
