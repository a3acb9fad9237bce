#pragma once
// What vigil asks the store and how it reads the answers. Pure: no hiredis, no sockets.
//   - StoreTarget: "redis://[:password@]host:port/db" or "unix:/path.sock[?db=N]"
//   - RedisValue: a reply, copied out of hiredis by the adapter
//   - freshness/metric commands and the interpretation of their replies (data_age, numbers, errors
//     worded for the operator)
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/config.hpp"

namespace vigil {

struct StoreTarget {
  std::string host;  // empty for a unix socket
  int port = 6379;
  std::string unix_path;
  int db = 0;
  std::string password;
  std::string display;  // the URL without its password, for messages
};

/// Parses a [store] url; the password, if any, may come from VIGIL_REDIS_PASSWORD instead.
std::optional<StoreTarget> parse_store_url(const std::string& url, const std::string& env_password, std::string* err);

struct RedisValue {
  enum class Type { Nil, Integer, String, Status, Error, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string str;  // String, Status, Error
  std::vector<RedisValue> elements;
};

using Command = std::vector<std::string>;

/// GET key, HGET key field, or XREVRANGE key + - COUNT 1 for a stream.
Command freshness_command(const Freshness& f);
Command metric_command(const StoreMetric& m);

/// Parses "2026-11-22T18:45:01Z", "2026-11-22 18:45:01.123+01:00" ... into unix seconds.
std::optional<double> parse_iso8601(const std::string& text);

struct StoreReading {
  std::optional<double> value;
  std::string error;  // why there is no value: "key 'latest_scan' does not exist", ...
};

/// The reply to freshness_command() → seconds since the stored timestamp (never negative).
StoreReading interpret_freshness(const Freshness& f, const RedisValue& reply, double now_unix);
/// The reply to metric_command() → the number.
StoreReading interpret_metric(const StoreMetric& m, const RedisValue& reply);

// Keyspace notifications: when the server publishes them, vigil hears each write to a watched key
// at once instead of at the next sample.

/// Whether a `notify-keyspace-events` setting publishes keyspace events for writes to strings,
/// hashes or streams: it needs K (the __keyspace@ channel) and A, $, h or t.
bool keyspace_events_usable(const std::string& flags);
/// "__keyspace@0__:latest_scan" for key "latest_scan" in database 0.
std::string keyspace_channel(int db, const std::string& key);
/// The key a keyspace channel names, or nullopt for another channel or database.
std::optional<std::string> key_of_keyspace_channel(int db, const std::string& channel);

}  // namespace vigil
