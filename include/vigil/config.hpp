#pragma once
// vigil.toml as typed values (every key documented in docs/config.md).
// load_config() is the only reader; it reports every problem at once as FILE:LINE:COL diagnostics
// and never returns a half-valid Config. No toml11 type appears in this header.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/config_paths.hpp"
#include "vigil/error.hpp"
#include "vigil/job_spec.hpp"
#include "vigil/log_queue.hpp"
#include "vigil/metrics.hpp"
#include "vigil/probe_spec.hpp"
#include "vigil/quantity.hpp"
#include "vigil/restart_policy.hpp"
#include "vigil/run_settings.hpp"

namespace vigil {

// started: at exec; notify: at READY=1; probe: when the probe named by `ready = "probe:NAME"` first
// passes; log: at the first output line matching `ready_log`.
enum class ReadyMode { Started, Notify, Probe, Log };
enum class FreshnessFormat { Unix, UnixMs, Iso8601, Stream };

struct Freshness {
  std::string key;
  std::string field;  // hash field; empty for a string key or a stream
  FreshnessFormat format = FreshnessFormat::Unix;
};

struct StoreMetric {
  std::string key;
  std::string field;
};

struct ServiceSpec {
  std::string name;
  std::vector<std::string> command;                        // argv; command[0] resolved in PATH at each start
  std::string cwd;                                         // absolute; default: the config file's folder
  std::vector<std::pair<std::string, std::string>> env;   // added to (and overriding) vigil's environment
  std::vector<std::string> after;
  ReadyMode ready = ReadyMode::Started;
  Duration start_timeout = std::chrono::seconds(30);
  RestartPolicy restart;
  int stop_signal = 15;
  Duration stop_timeout = std::chrono::seconds(10);
  std::optional<Duration> watchdog;
  Duration health_grace{0};
  std::optional<Freshness> freshness;
  std::map<std::string, StoreMetric> metrics;
  RunSettings run;  // env_file (merged into env), umask, nice, limits
  Hooks hooks;
  std::vector<ProbeSpec> probes;                                 // [service.NAME.probe.PROBE], by name
  std::string ready_probe;                                       // ready = "probe:NAME"
  std::string ready_log;                                         // ready_log = "regex" ("" = none)
  std::vector<std::pair<std::string, std::string>> log_match;    // counter name → regex, by name
  const ProbeSpec* probe(const std::string& probe_name) const;
  std::uint32_t line = 0;  // where [service.NAME] stands, for later messages

  bool operator==(const ServiceSpec& o) const;  // same definition (line ignored): no restart on reload
};

struct StoreSpec {
  std::string url;
  Duration timeout = std::chrono::milliseconds(500);
};

/// `[vigil] http`: where the HTTP listener (metrics, health, dashboard) listens.
struct HttpListen {
  enum class Kind { Off, Tcp, Unix };
  Kind kind = Kind::Off;
  std::string host;        // Tcp: an IP literal ("127.0.0.1", "::1", "0.0.0.0")
  std::uint16_t port = 0;  // Tcp
  std::string path;        // Unix: absolute
  bool loopback = true;    // Tcp: only this host can connect (127.0.0.0/8, ::1)
  bool operator==(const HttpListen& o) const = default;
  /// "127.0.0.1:9464", "[::1]:9464", "unix:/run/vigil.http", "off".
  std::string str() const;
};

/// "HOST:PORT" (an IP literal, IPv6 in brackets) or "off"; a path (starting with '/') is a unix socket.
/// Returns nullopt with `err` set when the text is neither.
std::optional<HttpListen> parse_http_listen(const std::string& text, std::string* err);

struct VigilSpec {
  Duration sample_interval = std::chrono::seconds(1);
  std::uint64_t log_max_size = 50'000'000;
  int log_keep = 5;
  OverflowPolicy log_overflow = OverflowPolicy::Block;
  std::string rules;    // absolute; empty when there is no rules file
  std::string log_dir;  // absolute
  std::string socket;   // absolute
  std::optional<bool> journal;  // child lines and vigil's events to journald; unset: when under systemd
  bool cgroups = true;          // a cgroup per run when vigil's cgroup is delegated (containment.hpp); read at start
  HttpListen http = default_http();  // metrics, health endpoints, dashboard (docs/fleet.md)
  std::string http_token_file;       // absolute; requests must carry its token (required off loopback)
  std::string textfile;              // absolute; the /metrics text written there every sample
  std::string external_url;          // how others reach the dashboard: alerts' generatorURL

  static HttpListen default_http() {
    HttpListen h;
    h.kind = HttpListen::Kind::Tcp;
    h.host = "127.0.0.1";
    h.port = 9464;
    return h;
  }
  int max_parallel_jobs = 4;    // job runs at once; more wait, higher `priority` first
  Duration history_retention = std::chrono::hours(24 * 30);  // job run history kept this long
};

struct Config {
  std::string path;  // as given
  VigilSpec vigil;
  std::optional<StoreSpec> store;
  std::vector<ServiceSpec> services;  // in file order
  std::vector<JobSpec> jobs;          // in file order

  const ServiceSpec* find(const std::string& name) const;
  const JobSpec* find_job(const std::string& name) const;
  /// The metric-family members the services declare (their store `metrics`, probe.NAME,
  /// probe_latency.NAME, probe_failures.NAME, log.NAME), by name: what rules may name besides the
  /// built-in metrics.
  std::map<std::string, MetricType> declared_metrics() const;
};

struct ConfigResult {
  std::optional<Config> config;  // set only when there are no errors
  Diagnostics errors;
};

/// Reads and validates the file. `env` expands ~ and $VAR and supplies the XDG defaults.
ConfigResult load_config(const std::string& path, const EnvLookup& env);

/// Same, from text (tests; `path` only names the file in diagnostics and anchors relative paths).
ConfigResult parse_config(const std::string& text, const std::string& path, const EnvLookup& env);

}  // namespace vigil
