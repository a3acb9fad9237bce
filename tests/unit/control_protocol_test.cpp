#include "vigil/control_protocol.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(ControlProtocol, ParsesEachRequestShape) {
  auto r = parse_request(R"({"cmd":"status","services":["a","b"]})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(r.request->cmd, "status");
  EXPECT_EQ(r.request->services, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(check_arguments(*r.request, Takes::Services), "");
  r = parse_request(R"({"cmd":"silence","service":"scan-*","rule":"stale","for":"2h","reason":"maint"})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(check_arguments(*r.request, Takes::Silence), "");
  EXPECT_EQ(r.request->duration, std::chrono::hours(2));
  EXPECT_EQ(r.request->service, "scan-*");
  EXPECT_EQ(r.request->rule, "stale");
  r = parse_request(R"({"cmd":"restart","services":["x"]})");
  EXPECT_EQ(check_arguments(*r.request, Takes::SomeServices), "");
  r = parse_request(R"({"cmd":"unsilence","id":"s1"})");
  EXPECT_EQ(check_arguments(*r.request, Takes::SilenceId), "");
}

TEST(ControlProtocol, BadRequestsGetAClearError) {
  EXPECT_EQ(parse_request("garbage").error, "malformed request: expected one JSON object per line, like {\"cmd\":\"status\"}");
  EXPECT_EQ(parse_request("[1,2]").error, "malformed request: expected one JSON object per line, like {\"cmd\":\"status\"}");
  EXPECT_EQ(parse_request(R"({"command":"status"})").error, "request has no \"cmd\"");
  EXPECT_EQ(parse_request(R"({"cmd":"stop","services":"a"})").error, "\"services\" must be an array of names");
  auto stop = parse_request(R"({"cmd":"stop"})");
  EXPECT_EQ(check_arguments(*stop.request, Takes::SomeServices), "stop needs at least one service");
  auto silence = parse_request(R"({"cmd":"silence","service":"a","for":"soon"})");
  EXPECT_NE(check_arguments(*silence.request, Takes::Silence).find("silence needs \"for\""), std::string::npos);
  silence = parse_request(R"({"cmd":"silence","for":"1h"})");
  EXPECT_EQ(check_arguments(*silence.request, Takes::Silence), "silence needs a \"service\" (a name or glob)");
  auto unsilence = parse_request(R"({"cmd":"unsilence"})");
  EXPECT_EQ(check_arguments(*unsilence.request, Takes::SilenceId), "unsilence needs an \"id\" (see `vigil silence --list`)");
  EXPECT_EQ(error_reply("x"), "{\"error\":\"x\",\"ok\":false}\n");
  EXPECT_EQ(error_reply("a \"quote\"\n"), "{\"error\":\"a \\\"quote\\\"\\n\",\"ok\":false}\n");
}
