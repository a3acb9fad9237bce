#pragma once
// vigil → its own service manager (systemd), through libsystemd's sd_notify: the only sd-daemon
// include. With NOTIFY_SOCKET unset (not under systemd) every call is a cheap no-op.
//   READY=1      once the control socket is up and the initial services are launched
//   STATUS=...   a one-line summary, sent when it changes
//   WATCHDOG=1   every WatchdogSec/2, from the event loop: a stuck loop stops the pings
//   RELOADING=1 + MONOTONIC_USEC=..., then READY=1, around a reload
//   STOPPING=1   at shutdown
#include <chrono>
#include <optional>
#include <string>

namespace vigil {

class ManagerNotify {
 public:
  ManagerNotify();
  bool enabled() const { return enabled_; }
  /// The ping period (half of WatchdogSec), if the manager asked for a watchdog.
  std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_period_; }

  void ready();
  void status(const std::string& line);  // sent only when it differs from the last one
  void watchdog();
  void reloading();
  void stopping();

 private:
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_period_;
  std::string last_status_;
};

/// "5 services: 4 ok, 1 warning (scan-bridge: stale_data)" — pure, from the status picture.
struct Snapshot;
std::string status_line(const Snapshot& snap);

}  // namespace vigil
