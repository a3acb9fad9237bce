#include "vigil/quantity.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "vigil/signal_names.hpp"
#include "vigil/suggest.hpp"

using namespace vigil;
using namespace std::chrono_literals;

TEST(Duration, ParsesEveryUnit) {
  std::string err;
  EXPECT_EQ(parse_duration("250ms", &err), Duration(250));
  EXPECT_EQ(parse_duration("30s", &err), Duration(30'000));
  EXPECT_EQ(parse_duration("1.5s", &err), Duration(1'500));
  EXPECT_EQ(parse_duration("10m", &err), Duration(600'000));
  EXPECT_EQ(parse_duration("2h", &err), Duration(7'200'000));
  EXPECT_EQ(parse_duration("1d", &err), Duration(86'400'000));
  EXPECT_EQ(parse_duration("0", &err), Duration(0));
  EXPECT_EQ(parse_duration(" 5s ", &err), Duration(5'000));
}

TEST(Duration, RejectsWithAnExplanation) {
  std::string err;
  EXPECT_FALSE(parse_duration("10", &err));
  EXPECT_NE(err.find("has no unit"), std::string::npos) << err;
  EXPECT_FALSE(parse_duration("10x", &err));
  EXPECT_NE(err.find("ms, s, m, h or d"), std::string::npos) << err;
  EXPECT_FALSE(parse_duration("-1s", &err));
  EXPECT_FALSE(parse_duration("", &err));
  EXPECT_FALSE(parse_duration("s", &err));
  EXPECT_FALSE(parse_duration("1..5s", &err));
}

TEST(Size, ParsesDecimalAndBinaryUnits) {
  std::string err;
  EXPECT_EQ(parse_size("50MB", &err), 50'000'000u);
  EXPECT_EQ(parse_size("1KB", &err), 1'000u);
  EXPECT_EQ(parse_size("1KiB", &err), 1'024u);
  EXPECT_EQ(parse_size("2MiB", &err), 2u * 1024 * 1024);
  EXPECT_EQ(parse_size("1.5GB", &err), 1'500'000'000u);
  EXPECT_EQ(parse_size("512B", &err), 512u);
  EXPECT_EQ(parse_size("4096", &err), 4096u);
}

TEST(Size, RejectsUnknownUnits) {
  std::string err;
  EXPECT_FALSE(parse_size("5XB", &err));
  EXPECT_NE(err.find("unknown size unit 'XB'"), std::string::npos) << err;
  EXPECT_FALSE(parse_size("MB", &err));
}

TEST(Size, ABareNumberBeyondTheRangeIsTooLargeNotCastUnchecked) {
  std::string err;
  EXPECT_FALSE(parse_size("99999999999999999999999", &err));
  EXPECT_NE(err.find("too large"), std::string::npos) << err;
  EXPECT_FALSE(parse_size("18446744073709551616", &err));
  EXPECT_NE(err.find("too large"), std::string::npos) << err;
  EXPECT_FALSE(parse_size("99999999999TB", &err));
  EXPECT_NE(err.find("too large"), std::string::npos) << err;
  EXPECT_EQ(parse_size("9000000000000000000", &err), 9'000'000'000'000'000'000u);
}

TEST(Format, ReadsLikeAnOperatorWouldWriteIt) {
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(4s), "4s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(10min), "10m");
  EXPECT_EQ(format_seconds(3.24), "3.2s");
  EXPECT_EQ(format_seconds(3725), "1h2m5s");
  EXPECT_EQ(format_seconds(-1), "0.0s");
  // A window typed absurdly long (found by the expression fuzzer): a number, not an overflow.
  EXPECT_EQ(format_seconds(3.5e23), "3.5e+23s");
  EXPECT_EQ(format_seconds(3.5e23, DurationStyle::Compact), "3.5e+23s");
  EXPECT_EQ(format_seconds(std::numeric_limits<double>::infinity()), "infs");
  EXPECT_EQ(format_seconds(std::numeric_limits<double>::quiet_NaN()), "0.0s");
}

TEST(Format, CompactSecondsShowAtMostTwoUnits) {
  EXPECT_EQ(format_seconds(0.44, DurationStyle::Compact), "0.4s");
  EXPECT_EQ(format_seconds(42.4, DurationStyle::Compact), "42s");
  EXPECT_EQ(format_seconds(3725, DurationStyle::Compact), "1h2m");
  EXPECT_EQ(format_seconds(3 * 86400 + 4 * 3600 + 5, DurationStyle::Compact), "3d4h");
  EXPECT_EQ(format_size(50'000'000), "50MB");
  EXPECT_EQ(format_size(612'400'000), "612.4MB");
  EXPECT_EQ(format_size(999), "999B");
}

TEST(Signals, AcceptNameWithOrWithoutPrefixAndNumber) {
  EXPECT_EQ(parse_signal("TERM"), 15);
  EXPECT_EQ(parse_signal("SIGTERM"), 15);
  EXPECT_EQ(parse_signal("15"), 15);
  EXPECT_EQ(parse_signal("INT"), 2);
  EXPECT_EQ(parse_signal("USR1"), 10);
  EXPECT_FALSE(parse_signal("TERMINATE"));
  EXPECT_FALSE(parse_signal("0"));
  EXPECT_FALSE(parse_signal("99"));
  EXPECT_EQ(signal_name(9), "SIGKILL");
}

TEST(Suggest, FindsTyposButNotUnrelatedWords) {
  std::vector<std::string> keys = {"restart_delay", "restart", "backoff_max"};
  EXPECT_EQ(closest_match("restart_dely", keys), "restart_delay");
  EXPECT_EQ(closest_match("backof_max", keys), "backoff_max");
  EXPECT_FALSE(closest_match("colour", keys));
  EXPECT_EQ(did_you_mean("restrat", keys), " (did you mean 'restart'?)");
  EXPECT_EQ(closest_match("wbe", {"web", "db"}), "web");  // a transposition is one edit
}
