#include "vigil/manager_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

#include "vigil/severity.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

ManagerNotify::ManagerNotify() {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  enabled_ = sock && *sock;
  std::uint64_t usec = 0;
  // sd_watchdog_enabled checks WATCHDOG_PID against our pid, as it must.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_period_ = std::chrono::microseconds(usec / 2);
}

void ManagerNotify::ready() { sd_notify(0, "READY=1"); }

void ManagerNotify::status(const std::string& line) {
  if (line == last_status_) return;
  last_status_ = line;
  sd_notify(0, ("STATUS=" + line).c_str());
}

void ManagerNotify::watchdog() { sd_notify(0, "WATCHDOG=1"); }

void ManagerNotify::reloading() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

void ManagerNotify::stopping() { sd_notify(0, "STOPPING=1"); }

std::string status_line(const Snapshot& snap) {
  int ok = 0, warning = 0, critical = 0, failed = 0, down = 0;
  std::string worst;
  // Failed outranks any health; below warning is not news. The first of the worst is named.
  auto badness = [](const ServiceSnapshot& s) {
    bool is_failed = s.state == State::Failed;
    return std::pair(is_failed, is_failed || s.health < Health::Warning ? Health::Ok : s.health);
  };
  std::pair<bool, Health> worst_seen{false, Health::Ok};
  for (const auto& s : snap.services) {
    if (s.state == State::Failed) ++failed;
    else if (s.state == State::Stopped) ++down;
    if (s.health == Health::Critical) ++critical;
    else if (s.health == Health::Warning) ++warning;
    else if (s.state != State::Failed) ++ok;
    if (badness(s) > worst_seen) {
      worst_seen = badness(s);
      std::string why = s.state == State::Failed ? "failed" : "";
      for (const auto& a : snap.alerts)
        if (a.service == s.name && a.state == AlertState::Firing && health_of(a.severity) == s.health) {
          why = a.rule;
          break;
        }
      worst = s.name + ": " + why;
    }
  }
  std::string line = std::to_string(snap.services.size()) + " services: " + std::to_string(ok) + " ok";
  if (warning) line += ", " + std::to_string(warning) + " warning";
  if (critical) line += ", " + std::to_string(critical) + " critical";
  if (failed) line += ", " + std::to_string(failed) + " failed";
  if (down) line += ", " + std::to_string(down) + " stopped";
  if (!worst.empty()) line += " (" + worst + ")";
  return line;
}

}  // namespace vigil
