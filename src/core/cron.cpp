#include "vigil/cron.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace vigil {
namespace {

struct FieldSpec {
  const char* name;
  int min, max;
  const char* const* names;  // nullptr, or max - min + 1 three-letter names from `min`
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, kMonthNames},
    {"day-of-week", 0, 7, kDayNames},
}};

struct Macro {
  const char* name;
  const char* expansion;
};
constexpr Macro kMacros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

std::int64_t cron_floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view text, std::size_t column, CronError* err)
      : spec_(spec), text_(text), column_(column), err_(err) {}

  // Sets bits[v - spec.min] for every value the field selects.
  bool parse(std::vector<bool>* bits) {
    bits->assign(static_cast<std::size_t>(spec_.max - spec_.min + 1), false);
    std::size_t start = 0;
    while (true) {
      std::size_t comma = text_.find(',', start);
      std::string_view item = text_.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (!parse_item(item, column_ + start, bits)) return false;
      if (comma == std::string_view::npos) return true;
      start = comma + 1;
    }
  }

 private:
  bool fail(std::size_t col, const std::string& msg) {
    err_->column = col;
    err_->message = std::string(spec_.name) + ": " + msg;
    return false;
  }

  bool value(std::string_view v, std::size_t col, int* out) {
    if (v.empty()) return fail(col, "expected a number");
    if (std::isdigit(static_cast<unsigned char>(v[0]))) {
      int n = 0;
      for (char c : v) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return fail(col, "\"" + std::string(v) + "\" is not a number");
        n = n * 10 + (c - '0');
        if (n > 1000) break;
      }
      if (n < spec_.min || n > spec_.max)
        return fail(col, std::to_string(n) + " is out of range " + std::to_string(spec_.min) + "-" +
                             std::to_string(spec_.max));
      *out = n;
      return true;
    }
    if (spec_.names && v.size() == 3) {
      std::string lower;
      for (char c : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (int i = 0; i <= spec_.max - spec_.min; ++i) {
        if (lower == spec_.names[i]) {
          *out = spec_.min + i;
          return true;
        }
      }
    }
    std::string hint = spec_.names ? (spec_.min == 1 ? " (or a name: jan ... dec)" : " (or a name: sun ... sat)") : "";
    return fail(col, "\"" + std::string(v) + "\" is not a number from " + std::to_string(spec_.min) + " to " +
                         std::to_string(spec_.max) + hint);
  }

  bool parse_item(std::string_view item, std::size_t col, std::vector<bool>* bits) {
    if (item.empty()) return fail(col, "empty list item");
    int step = 1;
    std::string_view range = item;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      std::string_view st = item.substr(slash + 1);
      const std::size_t st_col = col + slash + 1;
      if (st.empty()) return fail(st_col, "expected a step after '/'");
      step = 0;
      for (char c : st) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return fail(st_col, "step \"" + std::string(st) + "\" is not a number");
        step = step * 10 + (c - '0');
        if (step > 1000) break;
      }
      if (step < 1 || step > spec_.max - spec_.min + 1)
        return fail(st_col, "step " + std::to_string(step) + " must be from 1 to " + std::to_string(spec_.max - spec_.min + 1));
    }
    int lo = spec_.min, hi = spec_.max;
    if (range == "*") {
      if (spec_.max == 7) hi = 6;  // `*` in day-of-week: Sunday once, as 0
    } else if (auto dash = range.find('-'); dash != std::string_view::npos) {
      if (!value(range.substr(0, dash), col, &lo) || !value(range.substr(dash + 1), col + dash + 1, &hi)) return false;
      if (hi < lo)
        return fail(col, "range " + std::string(range) + " runs backwards (write " + std::string(range.substr(dash + 1)) +
                             "-" + std::string(range.substr(0, dash)) + ")");
    } else {
      if (!value(range, col, &lo)) return false;
      // "5/15" means from 5 to the end in steps of 15 (Vixie cron); a plain "5" is just 5.
      hi = item.find('/') != std::string_view::npos ? spec_.max : lo;
    }
    for (int v = lo; v <= hi; v += step) (*bits)[static_cast<std::size_t>(v - spec_.min)] = true;
    return true;
  }

  const FieldSpec& spec_;
  std::string_view text_;
  std::size_t column_;
  CronError* err_;
};

template <std::size_t N>
void copy_bits(const std::vector<bool>& from, int offset, std::bitset<N>* to) {
  for (std::size_t i = 0; i < from.size(); ++i)
    if (from[i]) to->set(static_cast<std::size_t>(static_cast<int>(i) + offset));
}

bool day_matches(const CronSchedule& s, unsigned day, unsigned weekday) {
  const bool dom = s.days.test(day), dow = s.weekdays.test(weekday);
  return (s.days_star || s.weekdays_star) ? (dom && dow) : (dom || dow);
}

}  // namespace

std::optional<CronSchedule> parse_cron(std::string_view text, CronError* err) {
  // Leading blanks shift every column; remember the offset of the expression itself.
  std::size_t base = 0;
  while (base < text.size() && std::isspace(static_cast<unsigned char>(text[base]))) ++base;
  std::string_view expr = text.substr(base);
  while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.back()))) expr.remove_suffix(1);

  if (!expr.empty() && expr[0] == '@') {
    for (const Macro& m : kMacros) {
      if (expr == m.name) return parse_cron(m.expansion, err);
    }
    err->column = base;
    err->message = "unknown schedule \"" + std::string(expr) +
                   "\" (use @hourly, @daily, @weekly, @monthly, @yearly or five fields)";
    return std::nullopt;
  }

  std::vector<std::pair<std::string_view, std::size_t>> fields;
  for (std::size_t i = 0; i < expr.size();) {
    if (std::isspace(static_cast<unsigned char>(expr[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < expr.size() && !std::isspace(static_cast<unsigned char>(expr[j]))) ++j;
    fields.emplace_back(expr.substr(i, j - i), base + i);
    i = j;
  }
  if (fields.size() != 5) {
    err->column = fields.size() > 5 ? fields[5].second : base;
    err->message = "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                   std::to_string(fields.size());
    return std::nullopt;
  }

  CronSchedule s;
  std::vector<bool> bits;
  for (std::size_t f = 0; f < 5; ++f) {
    FieldParser p(kFields[f], fields[f].first, fields[f].second, err);
    if (!p.parse(&bits)) return std::nullopt;
    switch (f) {
      case 0: copy_bits(bits, 0, &s.minutes); break;
      case 1: copy_bits(bits, 0, &s.hours); break;
      case 2: copy_bits(bits, 1, &s.days); break;
      case 3: copy_bits(bits, 1, &s.months); break;
      case 4:
        for (std::size_t i = 0; i < bits.size(); ++i)
          if (bits[i]) s.weekdays.set(i % 7);  // 7 is Sunday too
        break;
    }
  }
  s.hours_star = fields[1].first[0] == '*';
  s.days_star = fields[2].first[0] == '*';
  s.weekdays_star = fields[4].first[0] == '*';

  if (!next_local_match(s, 0)) {
    err->column = fields[2].second;
    err->message = "day-of-month: the schedule never fires (no such day in the months it names)";
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> next_local_match(const CronSchedule& s, std::int64_t local) {
  const std::int64_t t = cron_floor_div(local + 59, 60) * 60;
  std::int64_t day = cron_floor_div(t, 86400);
  std::int64_t secs = t - day * 86400;
  for (int i = 0; i < 366 * 8 + 2; ++i, ++day, secs = 0) {
    std::int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    if (!s.months.test(m)) continue;
    const auto weekday = static_cast<unsigned>(((day % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
    if (!day_matches(s, d, weekday)) continue;
    const auto first_hour = static_cast<std::size_t>(secs / 3600);
    for (std::size_t h = first_hour; h < 24; ++h) {
      if (!s.hours.test(h)) continue;
      const std::size_t first_minute = h == first_hour ? static_cast<std::size_t>((secs % 3600) / 60) : 0;
      for (std::size_t mi = first_minute; mi < 60; ++mi) {
        if (s.minutes.test(mi)) return day * 86400 + static_cast<std::int64_t>(h * 3600 + mi * 60);
      }
    }
  }
  return std::nullopt;
}

namespace {

// The UTC instants at which wall-clock time `local` fires (0, 1 or 2 of them; see the header's DST rules).
// Assumes at most one offset change within the zone's offset span, which holds for every real zone.
int instants_of(const CronSchedule& s, const TimeZone& z, std::int64_t local, std::int64_t out[2]) {
  const std::int32_t oa = z.offset_at(local - z.max_offset());
  const std::int32_t ob = z.offset_at(local - z.min_offset());
  const std::int64_t ta = local - oa, tb = local - ob;
  const bool va = z.offset_at(ta) == oa;
  const bool vb = ob != oa && z.offset_at(tb) == ob;
  if (va && vb) {  // happens twice (fall back)
    out[0] = std::min(ta, tb);
    out[1] = std::max(ta, tb);
    return s.hours_star ? 2 : 1;
  }
  if (va || vb) {
    out[0] = va ? ta : tb;
    return 1;
  }
  if (s.hours_star || oa == ob) return 0;
  // Skipped by a spring-forward change: the first instant after it.
  std::int64_t lo = std::min(ta, tb), hi = std::max(ta, tb);
  const std::int32_t before = z.offset_at(lo);
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (z.offset_at(mid) == before ? lo : hi) = mid;
  }
  out[0] = hi;
  return 1;
}

}  // namespace

std::optional<std::int64_t> next_run(const CronSchedule& s, const TimeZone& zone, std::int64_t after) {
  std::optional<std::int64_t> best;
  std::int64_t local = after + 1 + zone.min_offset();
  for (int guard = 0; guard < 100000; ++guard) {
    auto m = next_local_match(s, local);
    if (!m) break;
    // Every later wall-clock time maps to an instant at or after m - max_offset.
    if (best && *m - zone.max_offset() >= *best) break;
    std::int64_t out[2];
    const int n = instants_of(s, zone, *m, out);
    for (int i = 0; i < n; ++i)
      if (out[i] > after && (!best || out[i] < *best)) best = out[i];
    local = *m + 60;
  }
  return best;
}

}  // namespace vigil
