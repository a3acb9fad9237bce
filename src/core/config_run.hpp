#pragma once
// The run settings of [service.NAME] and [job.NAME] (run_settings.hpp): env_file, umask, nice,
// limits. Private to src/ (toml11 types): config.cpp calls read_run_settings() for each table.
#include <string>
#include <utility>
#include <vector>

#include "vigil/config_paths.hpp"
#include "vigil/run_settings.hpp"
#include "toml_fields.hpp"

namespace vigil {

/// The keys read_run_settings() reads, to add to a table's known keys.
const std::vector<std::string>& run_setting_keys();

/// The hook keys (pre_start, post_start, post_stop, on_failure, on_success).
const std::vector<std::string>& hook_keys();

/// Reads the hooks from `f`. Each key takes one argv (`["notify", "x"]`), a list of them
/// (`[["a"], ["b", "c"]]`), or tables with a timeout (`{ command = ["a"], timeout = "5s" }`, alone or
/// in a list). Default timeout 30s.
void read_hooks(Fields& f, const std::string& context, const std::string& path, Hooks& out, Diagnostics& diags);

/// Reads the run settings from `f` into `out`. The env file is read now (refused unless trusted,
/// like the config) and its variables merged under `env` (sorted; a key of `env` wins over the
/// file's). Every problem goes into `diags`: the config's as FILE:LINE:COL, the env file's as
/// ENVFILE:LINE:COL.
void read_run_settings(Fields& f, const std::string& base_dir, const EnvLookup& lookup,
                       std::vector<std::pair<std::string, std::string>>& env, RunSettings& out, Diagnostics& diags);

}  // namespace vigil
