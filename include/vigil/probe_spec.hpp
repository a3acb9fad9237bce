#pragma once
// What one probe of a service checks, as written in vigil.toml under [service.NAME.probe.PROBE].
// Plain data; config.cpp fills it in and checks it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

enum class ProbeKind { Http, Tcp, Exec };

struct ProbeSpec {
  std::string name;
  ProbeKind kind = ProbeKind::Http;
  std::string url;                   // http: "http://host[:port]/path"
  std::string address;               // tcp: "host:port"
  std::vector<std::string> command;  // exec: argv, no shell; passes on exit 0
  std::optional<int> status;         // http: the status that passes; default any 2xx or 3xx
  std::string body;                  // http: a regular expression the body must match ("" = any)
  std::chrono::milliseconds period{10'000};
  std::chrono::milliseconds timeout{1'000};
  std::chrono::milliseconds initial_delay{0};
  int failure_threshold = 3;
  int success_threshold = 1;
  bool startup = false;  // holds the other probes and the health rules until it first passes
  std::chrono::milliseconds start_timeout{0};  // startup: must pass within this; 0 = the service's start_timeout
  std::uint32_t line = 0;  // where [service.NAME.probe.PROBE] stands, for later messages (not compared)

  bool operator==(const ProbeSpec& o) const {
    return name == o.name && kind == o.kind && url == o.url && address == o.address && command == o.command &&
           status == o.status && body == o.body && period == o.period && timeout == o.timeout &&
           initial_delay == o.initial_delay && failure_threshold == o.failure_threshold &&
           success_threshold == o.success_threshold && startup == o.startup && start_timeout == o.start_timeout;
  }
};

std::string_view to_string(ProbeKind k);

}  // namespace vigil
