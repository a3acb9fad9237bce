#pragma once
// The subcommands; main.cpp only dispatches to these. Each returns the process exit code:
// 0 success, 1 failure, 2 usage error (docs/cli.md).
#include <string>
#include <vector>

namespace vigil {

using Args = std::vector<std::string>;  // arguments after the subcommand name

int cmd_run(const Args& args);
int cmd_check(const Args& args);
int cmd_status(const Args& args);
int cmd_start(const Args& args);
int cmd_stop(const Args& args);
int cmd_restart(const Args& args);
int cmd_reload(const Args& args);
int cmd_logs(const Args& args);
int cmd_alerts(const Args& args);
int cmd_silence(const Args& args);
int cmd_run_now(const Args& args);
int cmd_cancel(const Args& args);
int cmd_history(const Args& args);

/// "-c FILE" / "--config FILE" / "--config=FILE" from args; the XDG default otherwise.
/// Returns false (and prints a usage error) on an unknown option.
bool parse_config_option(const Args& args, std::string* config, bool* debug, const char* command);

}  // namespace vigil
