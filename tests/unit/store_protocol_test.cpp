#include "vigil/store_protocol.hpp"

#include <gtest/gtest.h>

using namespace vigil;

namespace {
RedisValue str(const std::string& s) {
  RedisValue v;
  v.type = RedisValue::Type::String;
  v.str = s;
  return v;
}
RedisValue nil() { return RedisValue{}; }
RedisValue err(const std::string& s) {
  RedisValue v;
  v.type = RedisValue::Type::Error;
  v.str = s;
  return v;
}
RedisValue arr(std::vector<RedisValue> e) {
  RedisValue v;
  v.type = RedisValue::Type::Array;
  v.elements = std::move(e);
  return v;
}
}  // namespace

TEST(StoreUrl, TcpWithPasswordAndDb) {
  std::string e;
  auto t = parse_store_url("redis://:s3cret@10.0.0.5:6390/2", "", &e);
  ASSERT_TRUE(t) << e;
  EXPECT_EQ(t->host, "10.0.0.5");
  EXPECT_EQ(t->port, 6390);
  EXPECT_EQ(t->db, 2);
  EXPECT_EQ(t->password, "s3cret");
  EXPECT_EQ(t->display, "redis://10.0.0.5:6390/2");  // never the password
}

TEST(StoreUrl, DefaultsUnixSocketAndEnvPassword) {
  std::string e;
  auto t = parse_store_url("redis://127.0.0.1", "fromenv", &e);
  ASSERT_TRUE(t) << e;
  EXPECT_EQ(t->port, 6379);
  EXPECT_EQ(t->db, 0);
  EXPECT_EQ(t->password, "fromenv");
  auto u = parse_store_url("unix:/run/redis.sock?db=3", "", &e);
  ASSERT_TRUE(u) << e;
  EXPECT_EQ(u->unix_path, "/run/redis.sock");
  EXPECT_EQ(u->db, 3);
}

TEST(StoreUrl, ErrorsSayWhatIsWrong) {
  std::string e;
  EXPECT_FALSE(parse_store_url("redis://host:port/0", "", &e));
  EXPECT_NE(e.find("the port must be a number"), std::string::npos) << e;
  EXPECT_FALSE(parse_store_url("unix:relative.sock", "", &e));
  EXPECT_NE(e.find("absolute"), std::string::npos) << e;
  EXPECT_FALSE(parse_store_url("http://x", "", &e));
}

TEST(Freshness, CommandsForEachShape) {
  EXPECT_EQ(freshness_command({"k", "", FreshnessFormat::Unix}), (Command{"GET", "k"}));
  EXPECT_EQ(freshness_command({"k", "ts", FreshnessFormat::UnixMs}), (Command{"HGET", "k", "ts"}));
  EXPECT_EQ(freshness_command({"k", "", FreshnessFormat::Stream}), (Command{"XREVRANGE", "k", "+", "-", "COUNT", "1"}));
}

TEST(Freshness, EveryFormatGivesTheAge) {
  double now = 1'800'000'100.0;
  EXPECT_DOUBLE_EQ(*interpret_freshness({"k", "", FreshnessFormat::Unix}, str("1800000090.5"), now).value, 9.5);
  EXPECT_DOUBLE_EQ(*interpret_freshness({"k", "ts", FreshnessFormat::UnixMs}, str("1800000097000"), now).value, 3.0);
  EXPECT_NEAR(*interpret_freshness({"k", "", FreshnessFormat::Iso8601}, str("2027-01-15T08:01:30Z"), 1'800'000'100.0 + 0).value,
              1'800'000'100.0 - *parse_iso8601("2027-01-15T08:01:30Z"), 1e-6);
  RedisValue entry = arr({arr({str("1800000098000-0"), arr({str("f"), str("v")})})});
  EXPECT_DOUBLE_EQ(*interpret_freshness({"k", "", FreshnessFormat::Stream}, entry, now).value, 2.0);
  // A writer whose clock runs slightly ahead reads as fresh, never negative.
  EXPECT_DOUBLE_EQ(*interpret_freshness({"k", "", FreshnessFormat::Unix}, str("1800000105"), now).value, 0.0);
}

TEST(Freshness, Iso8601Forms) {
  EXPECT_DOUBLE_EQ(*parse_iso8601("1970-01-01T00:01:00Z"), 60.0);
  EXPECT_DOUBLE_EQ(*parse_iso8601("1970-01-01 00:01:00.250"), 60.25);
  EXPECT_DOUBLE_EQ(*parse_iso8601("1970-01-01T01:01:00+01:00"), 60.0);
  EXPECT_DOUBLE_EQ(*parse_iso8601("1969-12-31T23:01:00-01:00"), 60.0);
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("1970-01-01T00:01:00 PST"));
}

TEST(Freshness, ProblemsAreWordedForTheOperator) {
  double now = 100;
  EXPECT_EQ(interpret_freshness({"latest_scan", "ts", FreshnessFormat::Unix}, nil(), now).error,
            "field 'ts' of key 'latest_scan' does not exist");
  EXPECT_EQ(interpret_freshness({"latest_scan", "", FreshnessFormat::Unix}, nil(), now).error,
            "key 'latest_scan' does not exist");
  EXPECT_EQ(interpret_freshness({"latest_scan", "ts", FreshnessFormat::Unix}, str("soon"), now).error,
            "field 'ts' of key 'latest_scan' holds 'soon', not a unix timestamp");
  EXPECT_EQ(interpret_freshness({"latest_scan", "ts", FreshnessFormat::Unix},
                                err("WRONGTYPE Operation against a key holding the wrong kind of value"), now)
                .error,
            "key 'latest_scan' holds the wrong kind of value for this check (expected a hash)");
  EXPECT_EQ(interpret_freshness({"s", "", FreshnessFormat::Stream}, arr({}), now).error, "key 's' does not exist");
  EXPECT_FALSE(interpret_freshness({"k", "", FreshnessFormat::Unix}, nil(), now).value);
}

TEST(StoreMetricReading, NumbersAndErrors) {
  RedisValue i;
  i.type = RedisValue::Type::Integer;
  i.integer = 42;
  EXPECT_EQ(*interpret_metric({"k", ""}, i).value, 42.0);
  EXPECT_EQ(*interpret_metric({"k", "lag_s"}, str("0.25")).value, 0.25);
  EXPECT_EQ(interpret_metric({"k", "lag_s"}, str("n/a")).error, "field 'lag_s' of key 'k' holds 'n/a', not a number");
}

TEST(KeyspaceEvents, UsableOnlyWithTheKeyspaceChannelAndAWriteClass) {
  EXPECT_TRUE(keyspace_events_usable("KA"));
  EXPECT_TRUE(keyspace_events_usable("AK"));
  EXPECT_TRUE(keyspace_events_usable("K$"));
  EXPECT_TRUE(keyspace_events_usable("Kh"));
  EXPECT_TRUE(keyspace_events_usable("Kt"));
  EXPECT_TRUE(keyspace_events_usable("Kg$htx"));
  EXPECT_FALSE(keyspace_events_usable(""));            // the default: off
  EXPECT_FALSE(keyspace_events_usable("EA"));          // keyevent channel only
  EXPECT_FALSE(keyspace_events_usable("Kgx"));         // deletes and expiries, but no writes
  EXPECT_FALSE(keyspace_events_usable("Kl"));          // lists only
}

TEST(KeyspaceEvents, ChannelsNameTheDatabaseAndTheKey) {
  EXPECT_EQ(keyspace_channel(0, "latest_scan"), "__keyspace@0__:latest_scan");
  EXPECT_EQ(keyspace_channel(3, "a:b"), "__keyspace@3__:a:b");
  EXPECT_EQ(key_of_keyspace_channel(3, "__keyspace@3__:a:b"), "a:b");
  EXPECT_EQ(key_of_keyspace_channel(0, "__keyspace@3__:a:b"), std::nullopt);
  EXPECT_EQ(key_of_keyspace_channel(0, "__keyevent@0__:set"), std::nullopt);
  EXPECT_EQ(key_of_keyspace_channel(0, "__keyspace@0__:"), std::nullopt);
}
