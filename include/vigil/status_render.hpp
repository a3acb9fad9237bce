#pragma once
// `vigil status` for humans and monitoring systems, from the status object (docs/status.md). Pure.
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {

struct RenderOptions {
  bool color = false;       // ANSI colours (only on a terminal, never with NO_COLOR)
  double now = 0;           // unix seconds, for "3m ago"
};

/// The table: vigil's own line, one line per service, and under each unhealthy service why.
std::string render_status(const nlohmann::json& status, const RenderOptions& opt);
/// `vigil status NAME`: one service in detail, in the spirit of `systemctl status`. `detail` is the
/// object `vigil status NAME --json` prints: {"service", "alerts", "processes", "log_tail", "reload",
/// "rules", "vigil"} (docs/cli.md).
std::string render_service_detail(const nlohmann::json& detail, const RenderOptions& opt);
/// The alerts on jobs, one line each, for under the jobs table of `vigil status`.
std::string render_job_alerts(const nlohmann::json& status, const RenderOptions& opt);
/// The alerts table of `vigil alerts`.
std::string render_alerts(const nlohmann::json& alerts, const RenderOptions& opt);

/// Monitoring-plugin exit code: 0 ok, 1 a warning firing, 2 a critical firing or a failed service
/// (a service's health, or a firing alert on vigil itself or on a job).
/// (3, unreachable, is decided by the caller.)
int status_exit_code(const nlohmann::json& status);

/// What is worth knowing about an alert beside its summary: how long it has had no data, what
/// became of its action, why it is muted ("  [no data for 2m: kept as it was]  [action: ...]").
std::string alert_notes(const nlohmann::json& alert, double now);

}  // namespace vigil
