#pragma once
// How the CLI shows jobs and their runs (`vigil status`, `vigil history`), from the control
// socket's JSON (control_jobs.cpp). Pure: JSON and the time in, text out.
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {

/// The jobs table under the services in `vigil status`: name, state, last result, next run.
std::string render_jobs(const nlohmann::json& jobs, double now);
/// `vigil history`: one line per attempt, oldest first.
std::string render_history(const nlohmann::json& runs);
/// The exit code `vigil run-now --wait` returns for a run's final attempt: the job's exit code,
/// 128+N for a signal (as a shell does), 0 for a skipped run, 127 when it never started.
int run_exit_code(const nlohmann::json& attempt);

}  // namespace vigil
