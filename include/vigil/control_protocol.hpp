#pragma once
// The control protocol (docs/cli.md): one JSON object per line each way.
//   {"cmd":"status","services":["scan-bridge"]}     → {"ok":true,"status":{...}}
//   {"cmd":"start"|"stop"|"restart","services":[...]} → {"ok":true,"services":[{"name","state"}]}
//   {"cmd":"reload"}                                  → {"ok":true} | {"ok":false,"error":"FILE:LINE:COL: ..."}
//   {"cmd":"alerts"}                                  → {"ok":true,"alerts":[...]}
//   {"cmd":"silence","service":"x","rule":"r","for":"2h","reason":"..."} → {"ok":true,"silence":{...}}
//   {"cmd":"silences"} · {"cmd":"unsilence","id":"s1"} · {"cmd":"ping"}
//   {"cmd":"jobs"}                                    → {"ok":true,"jobs":[...]}
//   {"cmd":"run-now","job":"nightly"}                 → {"ok":true,"outcome":"started"|"queued","run_id":N}
//   {"cmd":"cancel","job":"nightly"} | {"cmd":"cancel","all":true} → {"ok":true,"cancelled":N}
//   {"cmd":"history","job":"nightly","n":20}          → {"ok":true,"runs":[...]} (job optional)
// Errors: {"ok":false,"error":"..."}. Pure: parsing and validation only; which commands exist and
// what each takes is the command table in control_handler.cpp.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vigil/json_out.hpp"
#include "vigil/quantity.hpp"

namespace vigil {

constexpr std::size_t kMaxRequest = 64 * 1024;

struct Request {
  std::string cmd;
  std::vector<std::string> services;
  std::string service, rule, reason, id;  // silence / unsilence
  std::string for_text;                   // silence: "for" as sent
  Duration duration{0};                   // silence: "for", once check_arguments() accepted it
  std::string job;                        // run-now, cancel, history
  bool all = false;                       // cancel: every job
  int limit = 20;                         // history: "n", the newest runs
};

/// What a command takes: each row of the command table says.
enum class Takes {
  Nothing,
  Services,      // optionally "services" (all when absent)
  SomeServices,  // at least one of "services"
  Silence,       // "service" (name or glob), "for", optionally "rule" and "reason"
  SilenceId,     // "id"
  Job,           // "job"
  JobOrAll,      // "job" or "all": true
  History,       // optionally "job" and "n"
};

struct ParsedRequest {
  std::optional<Request> request;
  std::string error;  // set when !request: the text of the error reply
};

/// The JSON shape of one request line; the command itself is not looked up here.
ParsedRequest parse_request(const std::string& line);

/// "" when `r` has what a command taking `takes` needs (and completes it: r.duration), else the
/// error reply's text ("stop needs at least one service").
std::string check_arguments(Request& r, Takes takes);

/// {"ok":false,"error":"..."} as one line (with '\n').
std::string error_reply(const std::string& message);

/// {"ok":true, ...} as one line (with '\n'): `fill` writes the members after "ok".
template <class Fill>
std::string ok_reply(Fill fill) {
  std::string out;
  JsonOut j(out);
  j.begin_object();
  j.key("ok").value(true);
  fill(j);
  j.end_object();
  out += '\n';
  return out;
}
inline std::string ok_reply() {
  return ok_reply([](JsonOut&) {});
}

}  // namespace vigil
