#pragma once
// What each control request does (docs/cli.md). One command table (control_handler.cpp) gives every
// request its name, the arguments it takes and its handler, as the CLI's table in main.cpp does for
// subcommands: a new request is one row and one member function. Every reply is written with
// JsonOut, one JSON object per line.
//
// Runs on the event loop; answers from the same snapshot that status.json and the rules see.
#include <string>

#include "vigil/control_protocol.hpp"

namespace vigil {

class Supervisor;

class ControlHandler {
 public:
  explicit ControlHandler(Supervisor& supervisor) : sup_(supervisor) {}

  /// The reply line (JSON, ending in '\n') to a parsed request; an unknown command or missing
  /// argument gets an error reply naming it.
  std::string handle(Request request);

  std::string ping(const Request& r);
  std::string status(const Request& r);
  std::string start_stop(const Request& r);  // start, stop, restart
  std::string reload(const Request& r);
  std::string alerts(const Request& r);
  std::string silence(const Request& r);
  std::string silences(const Request& r);
  std::string unsilence(const Request& r);
  // Jobs (control_jobs.cpp).
  std::string jobs(const Request& r);
  std::string run_now(const Request& r);
  std::string cancel(const Request& r);
  std::string history(const Request& r);

 private:
  Supervisor& sup_;
};

}  // namespace vigil
