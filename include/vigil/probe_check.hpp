#pragma once
// One check of one probe, asynchronously on the event loop; never blocks it.
//
// - http: Boost.Beast client (connect, GET, read the response) under one deadline for the whole check;
//   the body read is bounded (kProbeBodyLimit) and the first 4 KiB are kept as the check's detail.
// - tcp: an asynchronous connect under the deadline.
// - exec: our own launcher (argv, no shell, its own process group, no inherited fds); output is read
//   off the pipes as it comes; at the deadline the whole process group is SIGKILLed, and the child is
//   always reaped through its pidfd: no zombie, no pile-up.
//
// The callback runs on the loop exactly once, unless the check is cancelled (ProbeCheck destroyed
// first), in which case it never runs and every resource (socket, process group) is released.
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vigil/probe_spec.hpp"

namespace vigil {

inline constexpr std::size_t kProbeDetailLimit = 4096;       // kept and shown: output, body, error
inline constexpr std::size_t kProbeBodyLimit = 1024 * 1024;  // an HTTP body past this fails the check

struct ProbeResult {
  bool passed = false;
  std::chrono::duration<double> latency{};
  int http_status = 0;   // http: the status line's code, 0 when none was read
  int exit_code = -1;    // exec: the exit code, -1 when killed or never started
  std::string detail;    // the first 4 KiB of output / body, or the error in words
};

struct ProbeEnv {
  std::string cwd;                  // exec probes run where the service runs
  std::vector<std::string> env;     // their complete environment
  std::function<void(pid_t, bool)> own_pid;  // the subreaper must leave a probe's pid alone
};

class ProbeCheck {
 public:
  virtual ~ProbeCheck() = default;
  /// Starts one check now. `done` runs on the loop with the result.
  static std::unique_ptr<ProbeCheck> start(boost::asio::io_context& io, const ProbeSpec& spec, const ProbeEnv& env,
                                           std::function<void(ProbeResult)> done);
};

/// The URL split for an HTTP probe, or an error in words ("only http:// is supported").
struct HttpTarget {
  std::string host, port, target;  // target: path and query, "/" at least
};
std::optional<HttpTarget> parse_http_url(const std::string& url, std::string* error);
/// "host:port" (or "[v6]:port") for a TCP probe.
std::optional<std::pair<std::string, std::string>> parse_host_port(const std::string& address, std::string* error);

}  // namespace vigil
