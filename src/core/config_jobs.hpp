#pragma once
// [job.NAME] tables (job_spec.hpp). Private to src/ (toml11 types): config.cpp calls these.
#include <string>

#include "vigil/config.hpp"
#include "toml_fields.hpp"

namespace vigil {

/// Reads every [job.NAME] table of `jobs` into cfg.jobs (in file order).
void read_jobs(const Value& jobs, Config& cfg, const std::string& path, const std::string& base_dir,
               const EnvLookup& env, Diagnostics& diags);

/// After services and jobs are read: a job may not share a service's name; `after` names jobs
/// that exist, and has no cycle.
void check_jobs(const Value& root, const Config& cfg, const std::string& path, Diagnostics& diags);

}  // namespace vigil
