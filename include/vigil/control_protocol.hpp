#pragma once
// The control protocol (docs/cli.md): one JSON object per line each way.
//   {"cmd":"status","services":["scan-bridge"]}     → {"ok":true,"status":{...}}
//   {"cmd":"start"|"stop"|"restart","services":[...]} → {"ok":true,"services":[{"name","state"}]}
//   {"cmd":"reload"}                                  → {"ok":true} | {"ok":false,"error":"FILE:LINE:COL: ..."}
//   {"cmd":"alerts"}                                  → {"ok":true,"alerts":[...]}
//   {"cmd":"silence","service":"x","rule":"r","for":"2h","reason":"..."} → {"ok":true,"silence":{...}}
//   {"cmd":"silences"} · {"cmd":"unsilence","id":"s1"} · {"cmd":"ping"}
// Errors: {"ok":false,"error":"..."}. Pure: parsing and validation only.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vigil/quantity.hpp"

namespace vigil {

constexpr std::size_t kMaxRequest = 64 * 1024;

struct Request {
  enum class Cmd { Ping, Status, Start, Stop, Restart, Reload, Alerts, Silence, Silences, Unsilence } cmd = Cmd::Ping;
  std::vector<std::string> services;
  std::string service, rule, reason, id;  // silence / unsilence
  Duration duration{0};                   // silence --for
};

struct ParsedRequest {
  std::optional<Request> request;
  std::string error;  // set when !request: the text of the error reply
};

ParsedRequest parse_request(const std::string& line);

/// {"ok":false,"error":"..."} as one line (with '\n').
std::string error_reply(const std::string& message);

}  // namespace vigil
