#include "vigil/control_protocol.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(ControlProtocol, ParsesEachCommand) {
  auto r = parse_request(R"({"cmd":"status","services":["a","b"]})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(r.request->cmd, Request::Cmd::Status);
  EXPECT_EQ(r.request->services, (std::vector<std::string>{"a", "b"}));
  r = parse_request(R"({"cmd":"silence","service":"scan-*","rule":"stale","for":"2h","reason":"maint"})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(r.request->duration, std::chrono::hours(2));
  EXPECT_EQ(r.request->service, "scan-*");
  EXPECT_TRUE(parse_request(R"({"cmd":"restart","services":["x"]})").request);
  EXPECT_TRUE(parse_request(R"({"cmd":"unsilence","id":"s1"})").request);
}

TEST(ControlProtocol, BadRequestsGetAClearError) {
  EXPECT_EQ(parse_request("garbage").error, "malformed request: expected one JSON object per line, like {\"cmd\":\"status\"}");
  EXPECT_EQ(parse_request("[1,2]").error, "malformed request: expected one JSON object per line, like {\"cmd\":\"status\"}");
  EXPECT_EQ(parse_request(R"({"command":"status"})").error, "request has no \"cmd\"");
  EXPECT_EQ(parse_request(R"({"cmd":"stauts"})").error, "unknown command 'stauts' (did you mean 'status'?)");
  EXPECT_EQ(parse_request(R"({"cmd":"stop"})").error, "stop needs at least one service");
  EXPECT_EQ(parse_request(R"({"cmd":"stop","services":"a"})").error, "\"services\" must be an array of names");
  EXPECT_NE(parse_request(R"({"cmd":"silence","service":"a","for":"soon"})").error.find("silence needs \"for\""), std::string::npos);
  EXPECT_EQ(error_reply("x"), "{\"error\":\"x\",\"ok\":false}\n");
}
