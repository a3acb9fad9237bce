#pragma once
// How a child is run, beyond its argv, cwd and environment: the settings services and jobs share
// (docs/config.md, "Run settings"): `env_file`, `umask`, `nice`, `limits`. Read by config_run.cpp,
// applied by spawn_child() in the child between fork and exec.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct ResourceLimit {
  int resource = 0;        // RLIMIT_*
  rlim_t value = 0;        // soft = hard (RLIM_INFINITY for "infinity")
  bool operator==(const ResourceLimit&) const = default;
};

struct RunSettings {
  std::string env_file;  // absolute; "" when none. Its variables are already merged into the spec's env
  int umask = -1;        // -1: inherit vigil's
  int nice = 0;
  bool has_nice = false;
  std::vector<ResourceLimit> limits;  // in key order
  bool operator==(const RunSettings&) const = default;
};

/// One hook command: an argv (never a shell) bounded by a timeout (docs/config.md, "Hooks").
struct Hook {
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{30'000};
  bool operator==(const Hook&) const = default;
};

/// The hooks of a service or job, each list run in order.
struct Hooks {
  std::vector<Hook> pre_start, post_start, post_stop, on_failure, on_success;
  bool empty() const { return pre_start.empty() && post_start.empty() && post_stop.empty() && on_failure.empty() && on_success.empty(); }
  bool operator==(const Hooks&) const = default;
};

/// The `limits` keys ("nofile", "core", ...) with their RLIMIT_* and the largest accepted value.
struct LimitName {
  const char* name;
  int resource;
  bool bytes;  // takes sizes like "64MB" too
};
const std::vector<LimitName>& limit_names();
std::string_view limit_name(int resource);

}  // namespace vigil
