#pragma once
// How bad an alert is, how far along it is, and a service's health (its worst firing alert).
// The enums are ordered by meaning, later is worse, so "the worst" is the largest value: this order
// is the only ranking vigil has. They become words only where JSON or text is written (and are
// read back from words only by the status client). Pure.
#include <optional>
#include <string_view>

namespace vigil {

enum class Severity { Info, Warning, Critical };
enum class AlertState { Pending, Firing };
/// Ok, or the severity of the worst firing alert.
enum class Health { Ok, Info, Warning, Critical };

std::string_view to_string(Severity s);
std::string_view to_string(AlertState s);
std::string_view to_string(Health h);

Health health_of(Severity s);
/// "ok", "info", "warning", "critical" (status.json as the client reads it).
std::optional<Health> parse_health(std::string_view text);

}  // namespace vigil
