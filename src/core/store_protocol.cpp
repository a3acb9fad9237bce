#include "vigil/store_protocol.hpp"

#include <cmath>
#include <cstdlib>
#include <ctime>

namespace vigil {
namespace {

bool parse_int(const std::string& s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

std::optional<double> parse_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  while (end && *end == ' ') ++end;
  if (!end || *end != 0 || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string where(const std::string& key, const std::string& field) {
  return field.empty() ? "key '" + key + "'" : "field '" + field + "' of key '" + key + "'";
}

// Errors and missing values the same way for freshness and metrics.
bool reply_problem(const RedisValue& r, const std::string& key, const std::string& field, StoreReading* out) {
  if (r.type == RedisValue::Type::Error) {
    out->error = r.str.rfind("WRONGTYPE", 0) == 0
                     ? "key '" + key + "' holds the wrong kind of value for this check (" +
                           (field.empty() ? std::string("expected a string") : std::string("expected a hash")) + ")"
                     : "store error for " + where(key, field) + ": " + r.str;
    return true;
  }
  if (r.type == RedisValue::Type::Nil || (r.type == RedisValue::Type::Array && r.elements.empty())) {
    out->error = where(key, field) + " does not exist";
    return true;
  }
  return false;
}

}  // namespace

std::optional<StoreTarget> parse_store_url(const std::string& url, const std::string& env_password, std::string* err) {
  StoreTarget t;
  t.password = env_password;
  auto fail = [&](const std::string& why) {
    if (err) *err = "invalid store url '" + url + "': " + why;
    return std::nullopt;
  };
  if (url.rfind("unix:", 0) == 0) {
    std::string rest = url.substr(5);
    std::size_t q = rest.find('?');
    t.unix_path = rest.substr(0, q);
    if (q != std::string::npos) {
      std::string query = rest.substr(q + 1);
      if (query.rfind("db=", 0) != 0 || !parse_int(query.substr(3), &t.db)) return fail("expected ?db=N");
    }
    if (t.unix_path.empty() || t.unix_path[0] != '/') return fail("expected an absolute socket path: unix:/path/redis.sock");
    t.display = url;
    return t;
  }
  if (url.rfind("redis://", 0) != 0) return fail("expected redis:// or unix:");
  std::string rest = url.substr(8);
  std::size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::size_t colon = auth.find(':');
    t.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
  }
  std::size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size() && !parse_int(rest.substr(slash + 1), &t.db))
    return fail("the database after '/' must be a number");
  std::size_t colon = hostport.rfind(':');
  t.host = hostport.substr(0, colon);
  if (colon != std::string::npos && !parse_int(hostport.substr(colon + 1), &t.port)) return fail("the port must be a number");
  if (t.host.empty()) return fail("no host");
  if (t.port < 1 || t.port > 65535) return fail("port out of range");
  t.display = "redis://" + t.host + ":" + std::to_string(t.port) + "/" + std::to_string(t.db);
  return t;
}

Command freshness_command(const Freshness& f) {
  if (f.format == FreshnessFormat::Stream) return {"XREVRANGE", f.key, "+", "-", "COUNT", "1"};
  if (!f.field.empty()) return {"HGET", f.key, f.field};
  return {"GET", f.key};
}

Command metric_command(const StoreMetric& m) {
  if (!m.field.empty()) return {"HGET", m.key, m.field};
  return {"GET", m.key};
}

std::optional<double> parse_iso8601(const std::string& s) {
  int y, mo, d, h, mi;
  double sec;
  int n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return std::nullopt;
  std::string zone = s.substr(static_cast<std::size_t>(n));
  long offset = 0;
  if (zone == "Z" || zone == "z" || zone.empty()) {
    offset = 0;  // no zone: read as UTC, which is what a timestamp in a store should be
  } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() >= 3) {
    int zh = 0, zm = 0;
    if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &zh, &zm) < 1 && std::sscanf(zone.c_str() + 1, "%2d%2d", &zh, &zm) < 1)
      return std::nullopt;
    offset = (zh * 3600L + zm * 60L) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  std::time_t base = ::timegm(&tm);
  return static_cast<double>(base) + sec - static_cast<double>(offset);
}

StoreReading interpret_freshness(const Freshness& f, const RedisValue& r, double now_unix) {
  StoreReading out;
  if (reply_problem(r, f.key, f.field, &out)) return out;
  std::optional<double> ts;
  std::string text;
  if (f.format == FreshnessFormat::Stream) {
    // [[id, [field, value, ...]]] — the entry ID "1700000000123-0" starts with unix milliseconds.
    if (r.type != RedisValue::Type::Array || r.elements[0].type != RedisValue::Type::Array ||
        r.elements[0].elements.empty()) {
      out.error = "key '" + f.key + "' did not answer like a stream";
      return out;
    }
    text = r.elements[0].elements[0].str;
    ts = parse_number(text.substr(0, text.find('-')));
    if (ts) *ts /= 1000.0;
  } else {
    text = r.type == RedisValue::Type::Integer ? std::to_string(r.integer) : r.str;
    switch (f.format) {
      case FreshnessFormat::Unix:
        ts = parse_number(text);
        break;
      case FreshnessFormat::UnixMs:
        ts = parse_number(text);
        if (ts) *ts /= 1000.0;
        break;
      case FreshnessFormat::Iso8601:
        ts = parse_iso8601(text);
        break;
      case FreshnessFormat::Stream:
        break;
    }
  }
  if (!ts) {
    static constexpr const char* kNames[] = {"unix", "unix_ms", "iso8601", "stream"};
    out.error = where(f.key, f.field) + " holds '" + text.substr(0, 64) + "', not a " +
                kNames[static_cast<int>(f.format)] + " timestamp";
    return out;
  }
  out.value = std::max(0.0, now_unix - *ts);  // a clock slightly ahead of ours reads as fresh, not negative
  return out;
}

StoreReading interpret_metric(const StoreMetric& m, const RedisValue& r) {
  StoreReading out;
  if (reply_problem(r, m.key, m.field, &out)) return out;
  if (r.type == RedisValue::Type::Integer) {
    out.value = static_cast<double>(r.integer);
    return out;
  }
  out.value = parse_number(r.str);
  if (!out.value) out.error = where(m.key, m.field) + " holds '" + r.str.substr(0, 64) + "', not a number";
  return out;
}

bool keyspace_events_usable(const std::string& flags) {
  return flags.find('K') != std::string::npos && flags.find_first_of("A$ht") != std::string::npos;
}

std::string keyspace_channel(int db, const std::string& key) {
  return "__keyspace@" + std::to_string(db) + "__:" + key;
}

std::optional<std::string> key_of_keyspace_channel(int db, const std::string& channel) {
  std::string prefix = keyspace_channel(db, "");
  if (channel.size() <= prefix.size() || channel.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return channel.substr(prefix.size());
}

}  // namespace vigil
