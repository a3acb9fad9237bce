// The status writer: every output must parse, and read back what was written.
#include "vigil/json_out.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

using namespace vigil;

TEST(JsonOut, NestedObjectsAndArraysGetTheirCommas) {
  std::string s;
  JsonOut j(s);
  j.begin_object();
  j.key("a").value(1);
  j.key("list").begin_array().value("x").value(2.5).null().begin_object().end_object().end_array();
  j.key("empty").begin_array().end_array();
  j.key("ok").value(true);
  j.end_object();
  EXPECT_EQ(s, R"({"a":1,"list":["x",2.5,null,{}],"empty":[],"ok":true})");
}

TEST(JsonOut, NumbersReadBackExactlyAndNonFiniteIsNull) {
  std::string s;
  JsonOut j(s);
  j.begin_array().value(0.1).value(25e6).value(1795374406.2327695).value(std::nan("")).value(INFINITY);
  j.value(std::int64_t{-42}).value(std::uint64_t{18446744073709551615u}).end_array();
  auto v = nlohmann::json::parse(s);
  EXPECT_EQ(v[0].get<double>(), 0.1);
  EXPECT_EQ(v[1].get<double>(), 25e6);
  EXPECT_EQ(v[2].get<double>(), 1795374406.2327695);
  EXPECT_TRUE(v[3].is_null());
  EXPECT_TRUE(v[4].is_null());
  EXPECT_EQ(v[5].get<long long>(), -42);
  EXPECT_EQ(v[6].get<unsigned long long>(), 18446744073709551615u);
}

TEST(JsonOut, StringsAreEscapedAndParseBackTheSame) {
  std::string text = "say \"hi\"\\ \n\t\r\b\f \x01 \x1f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end";
  std::string s;
  JsonOut(s).value(text);
  EXPECT_EQ(nlohmann::json::parse(s).get<std::string>(), text);
}

TEST(JsonOut, InvalidUtf8BecomesTheReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, a byte > F4.
  for (std::string bad : {"a\x80z", "a\xc3", "a\xc0\xafz", "a\xed\xa0\x80z", "a\xf5z", "a\xe2\x82"}) {
    std::string s;
    JsonOut(s).value(bad);
    nlohmann::json v = nlohmann::json::parse(s, nullptr, false);
    ASSERT_FALSE(v.is_discarded()) << s;
    std::string back = v.get<std::string>();
    EXPECT_EQ(back.front(), 'a');
    EXPECT_NE(back.find("\xEF\xBF\xBD"), std::string::npos) << s;
  }
}

TEST(JsonOut, EmptyStringsCanBeNull) {
  std::string s;
  JsonOut j(s);
  j.begin_array().string_or_null("").string_or_null("x").value(std::optional<double>{}).value(std::optional<int>{3});
  j.end_array();
  EXPECT_EQ(s, R"([null,"x",null,3])");
}

// A reply embeds a status object written elsewhere, as it is.
TEST(JsonOut, EmbedsJsonWrittenElsewhere) {
  std::string s;
  JsonOut j(s);
  j.begin_object().key("ok").value(true).key("status").json(R"({"a":[1,2]})").key("n").value(1).end_object();
  EXPECT_EQ(s, R"({"ok":true,"status":{"a":[1,2]},"n":1})");
}
