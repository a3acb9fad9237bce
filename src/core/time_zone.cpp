#include "vigil/time_zone.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace vigil {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace {

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Local seconds since the epoch at which the rule date falls in year y.
std::int64_t rule_local_seconds(const PosixTzDate& r, std::int64_t y) {
  std::int64_t days = 0;
  switch (r.kind) {
    case PosixTzDate::Kind::JulianNoLeap:
      days = days_from_civil(y, 1, 1) + r.day - 1 + (is_leap(y) && r.day >= 60 ? 1 : 0);
      break;
    case PosixTzDate::Kind::ZeroBasedDay:
      days = days_from_civil(y, 1, 1) + r.day;
      break;
    case PosixTzDate::Kind::MonthWeekDay: {
      const std::int64_t first = days_from_civil(y, static_cast<unsigned>(r.month), 1);
      const int first_wd = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
      int day = 1 + (r.weekday - first_wd + 7) % 7 + (r.week - 1) * 7;
      while (day > static_cast<int>(days_in_month(y, static_cast<unsigned>(r.month)))) day -= 7;
      days = first + day - 1;
      break;
    }
  }
  return days * 86400 + r.time;
}

// A tiny cursor over the TZ string.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  bool number(int max, int* out) {
    int v = 0, digits = 0;
    while (!done() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      if (v > max) return false;
      ++i, ++digits;
    }
    *out = v;
    return digits > 0;
  }
};

bool parse_tz_name(Cursor& c) {
  if (c.eat('<')) {
    std::size_t start = c.i;
    while (!c.done() && c.peek() != '>') ++c.i;
    const std::size_t len = c.i - start;
    return c.eat('>') && len >= 3;
  }
  std::size_t start = c.i;
  while (!c.done() && ((c.peek() >= 'A' && c.peek() <= 'Z') || (c.peek() >= 'a' && c.peek() <= 'z'))) ++c.i;
  return c.i - start >= 3;
}

// [+-]hh[:mm[:ss]] with hours up to max_hours.
bool parse_hms(Cursor& c, int max_hours, std::int32_t* out) {
  int sign = 1;
  if (c.eat('-')) sign = -1;
  else c.eat('+');
  int h = 0, m = 0, s = 0;
  if (!c.number(max_hours, &h)) return false;
  if (c.eat(':')) {
    if (!c.number(59, &m)) return false;
    if (c.eat(':') && !c.number(59, &s)) return false;
  }
  *out = sign * (h * 3600 + m * 60 + s);
  return true;
}

bool parse_rule_date(Cursor& c, PosixTzDate* d) {
  if (c.eat('M')) {
    d->kind = PosixTzDate::Kind::MonthWeekDay;
    if (!c.number(12, &d->month) || d->month < 1 || !c.eat('.') || !c.number(5, &d->week) || d->week < 1 ||
        !c.eat('.') || !c.number(6, &d->weekday))
      return false;
  } else if (c.eat('J')) {
    d->kind = PosixTzDate::Kind::JulianNoLeap;
    if (!c.number(365, &d->day) || d->day < 1) return false;
  } else {
    d->kind = PosixTzDate::Kind::ZeroBasedDay;
    if (!c.number(365, &d->day)) return false;
  }
  d->time = 7200;
  if (c.eat('/')) return parse_hms(c, 167, &d->time);
  return true;
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::int64_t be64(const unsigned char* p) {
  return static_cast<std::int64_t>((std::uint64_t{be32(p)} << 32) | be32(p + 4));
}

struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  std::uint64_t data_size(unsigned time_size) const {
    return std::uint64_t{timecnt} * time_size + timecnt + std::uint64_t{typecnt} * 6 + charcnt +
           std::uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

bool read_header(std::string_view b, std::size_t at, TzifHeader* h) {
  if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return false;
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  h->version = static_cast<char>(p[4]);
  h->isutcnt = be32(p + 20), h->isstdcnt = be32(p + 24), h->leapcnt = be32(p + 28);
  h->timecnt = be32(p + 32), h->typecnt = be32(p + 36), h->charcnt = be32(p + 40);
  return true;
}

}  // namespace

std::int32_t PosixTz::offset_at(std::int64_t t) const {
  if (!has_dst) return std_offset;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(floor_div(t + std_offset, 86400), &y, &m, &d);
  const std::int64_t s = rule_local_seconds(start, y) - std_offset;
  const std::int64_t e = rule_local_seconds(end, y) - dst_offset;
  const bool dst = s < e ? (s <= t && t < e) : !(e <= t && t < s);  // s > e: the southern hemisphere
  return dst ? dst_offset : std_offset;
}

std::optional<PosixTz> parse_posix_tz(std::string_view text, std::string* err) {
  Cursor c{text};
  PosixTz tz;
  std::int32_t west = 0;
  if (!parse_tz_name(c) || !parse_hms(c, 24, &west)) {
    *err = "time zone rule \"" + std::string(text) + "\": expected a name and an offset like \"CET-1\"";
    return std::nullopt;
  }
  tz.std_offset = -west;
  if (c.done()) return tz;
  if (!parse_tz_name(c)) {
    *err = "time zone rule \"" + std::string(text) + "\": bad daylight-saving name";
    return std::nullopt;
  }
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 3600;
  if (c.peek() != ',' && !c.done()) {
    if (!parse_hms(c, 24, &west)) {
      *err = "time zone rule \"" + std::string(text) + "\": bad daylight-saving offset";
      return std::nullopt;
    }
    tz.dst_offset = -west;
  }
  if (!c.eat(',') || !parse_rule_date(c, &tz.start) || !c.eat(',') || !parse_rule_date(c, &tz.end) || !c.done()) {
    *err = "time zone rule \"" + std::string(text) + "\": expected \",start[/time],end[/time]\" rules";
    return std::nullopt;
  }
  return tz;
}

TimeZone TimeZone::utc() { return TimeZone{}; }

std::int32_t TimeZone::offset_at(std::int64_t t) const {
  if (transitions_.empty() || t >= transitions_.back()) {
    if (footer_) return footer_->offset_at(t);
    return transitions_.empty() ? initial_offset_ : offset_after_.back();
  }
  if (t < transitions_.front()) return initial_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offset_after_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

std::optional<TimeZone> parse_tzif(std::string_view b, std::string name, std::string* err) {
  auto fail = [&](const std::string& why) {
    *err = "time zone " + name + ": " + why;
    return std::nullopt;
  };
  TzifHeader h;
  if (!read_header(b, 0, &h)) return fail("not a TZif file");
  std::size_t at = 44;
  unsigned time_size = 4;
  if (h.version >= '2') {
    // Version 2+ repeats the data with 64-bit times after the version 1 block: use that.
    const std::uint64_t v1 = h.data_size(4);
    if (v1 > b.size() - at || !read_header(b, at + v1, &h)) return fail("truncated file");
    at += v1 + 44;
    time_size = 8;
  }
  if (h.leapcnt != 0) return fail("leap-second (\"right/\") zones are not supported");
  if (h.typecnt == 0 || h.typecnt > 256) return fail("bad number of local time types");
  if (h.data_size(time_size) > b.size() - at) return fail("truncated file");

  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  const unsigned char* idx = p + std::size_t{h.timecnt} * time_size;
  const unsigned char* types = idx + h.timecnt;
  std::vector<std::int32_t> type_offset(h.typecnt);
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    const auto off = static_cast<std::int32_t>(be32(types + i * 6));
    if (off < -89999 || off > 93599) return fail("offset out of range");
    type_offset[i] = off;
  }
  TimeZone z;
  z.name_ = std::move(name);
  z.initial_offset_ = type_offset[0];
  z.transitions_.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const std::int64_t t = time_size == 8 ? be64(p + i * 8) : static_cast<std::int32_t>(be32(p + i * 4));
    if (!z.transitions_.empty() && t <= z.transitions_.back()) return fail("transitions out of order");
    if (idx[i] >= h.typecnt) return fail("transition names an unknown type");
    z.transitions_.push_back(t);
    z.offset_after_.push_back(type_offset[idx[i]]);
  }
  z.min_offset_ = *std::min_element(type_offset.begin(), type_offset.end());
  z.max_offset_ = *std::max_element(type_offset.begin(), type_offset.end());

  if (time_size == 8) {
    const std::size_t footer_at = at + h.data_size(8);
    std::string_view rest = b.substr(footer_at);
    if (rest.size() < 2 || rest[0] != '\n') return fail("missing footer");
    const std::size_t nl = rest.find('\n', 1);
    if (nl == std::string_view::npos) return fail("unterminated footer");
    std::string_view rule = rest.substr(1, nl - 1);
    if (!rule.empty()) {
      std::string why;
      auto tz = parse_posix_tz(rule, &why);
      if (!tz) return fail(why);
      z.footer_ = tz;
      for (std::int32_t off : {tz->std_offset, tz->has_dst ? tz->dst_offset : tz->std_offset}) {
        if (off < -89999 || off > 93599) return fail("offset out of range");
        z.min_offset_ = std::min(z.min_offset_, off);
        z.max_offset_ = std::max(z.max_offset_, off);
      }
    }
  }
  return z;
}

std::optional<TimeZone> load_time_zone(const std::string& name, std::string* err) {
  if (name == "UTC" || name == "Etc/UTC") return TimeZone::utc();
  const bool safe = !name.empty() && name[0] != '/' && name.find("..") == std::string::npos &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                             c == '/' || c == '_' || c == '-' || c == '+';
                    });
  if (!safe) {
    *err = "\"" + name + "\" is not a time zone name (write \"UTC\" or an IANA name like \"Europe/Berlin\")";
    return std::nullopt;
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "unknown time zone \"" + name + "\" (no " + path + "; is tzdata installed?)";
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_tzif(bytes, name, err);
}

}  // namespace vigil
