#include "vigil/severity.hpp"

namespace vigil {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "?";
}

std::string_view to_string(AlertState s) {
  switch (s) {
    case AlertState::Pending: return "pending";
    case AlertState::Firing: return "firing";
  }
  return "?";
}

std::string_view to_string(Health h) {
  switch (h) {
    case Health::Ok: return "ok";
    case Health::Info: return "info";
    case Health::Warning: return "warning";
    case Health::Critical: return "critical";
  }
  return "?";
}

Health health_of(Severity s) {
  switch (s) {
    case Severity::Info: return Health::Info;
    case Severity::Warning: return Health::Warning;
    case Severity::Critical: return Health::Critical;
  }
  return Health::Ok;
}

std::optional<Health> parse_health(std::string_view text) {
  for (Health h : {Health::Ok, Health::Info, Health::Warning, Health::Critical})
    if (to_string(h) == text) return h;
  return std::nullopt;
}

}  // namespace vigil
