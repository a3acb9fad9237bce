#pragma once
// Signal names as operators write them: "TERM", "SIGTERM" or "15". Pure.
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// Returns the signal number, or nullopt for a name or number this system does not know.
std::optional<int> parse_signal(std::string_view text);

/// 15 → "SIGTERM"; an unknown number → "signal 42".
std::string signal_name(int signo);

}  // namespace vigil
