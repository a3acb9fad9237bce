#pragma once
// What a reload changed in one service's definition, key by key, and whether the running process
// must be restarted for it. ONE table of the keys: those that shape the process (its command,
// directory, environment, the watchdog period it is told in WATCHDOG_USEC) need a restart; the
// rest (ordering, timeouts, restart policy, health and store keys) only change what vigil does
// next and apply to the running service at once. Pure.
#include <string>
#include <vector>

#include "vigil/config.hpp"

namespace vigil {

struct SpecChange {
  std::vector<std::string> keys;  // config keys that differ, in table order
  bool restart = false;           // one of them reaches the process
};

SpecChange compare_specs(const ServiceSpec& before, const ServiceSpec& after);

}  // namespace vigil
