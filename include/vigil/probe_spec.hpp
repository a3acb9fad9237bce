#pragma once
// What one probe of a service checks, as written in vigil.toml under [service.NAME.probe.PROBE].
// Plain data; config.cpp fills it in and checks it.
#include <chrono>
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

  bool operator==(const ProbeSpec&) const = default;
};

std::string_view to_string(ProbeKind k);

}  // namespace vigil
