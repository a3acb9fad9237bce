#pragma once
// `vigil status --format=nagios`: the Monitoring Plugins output format, from the status object.
// Pure. The first line is the verdict and the problem, then ` | ` and perfdata
// ('label'=value[UOM];[warn];[crit];[min];[max]); then one line per problem. Exit codes 0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN (status_exit_code; 3 is the caller's: vigil unreachable).
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {

/// The plugin output for a status object; the exit code is status_exit_code(status).
std::string render_nagios(const nlohmann::json& status);
/// The plugin output when there is no status to judge (exit 3): "VIGIL UNKNOWN - why".
std::string render_nagios_unknown(const std::string& why);

}  // namespace vigil
