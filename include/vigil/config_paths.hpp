#pragma once
// Where vigil's files live by default (XDG, no root; docs/config.md) and how paths written in
// the config are expanded. Pure apart from the environment lookup, which is a parameter.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
EnvLookup process_env();

/// "~/x", "$HOME/x", "${XDG_STATE_HOME}/x" expanded; a relative result is made absolute against
/// base_dir. On an unset variable returns nullopt and sets *err.
std::optional<std::string> expand_path(std::string_view text, const std::string& base_dir, const EnvLookup& env,
                                       std::string* err);

/// $XDG_CONFIG_HOME/vigil/vigil.toml, else ~/.config/vigil/vigil.toml.
std::string default_config_path(const EnvLookup& env);
/// $XDG_STATE_HOME/vigil, else ~/.local/state/vigil (logs/ and vigil's own state live below it).
std::string default_state_dir(const EnvLookup& env);
/// $XDG_RUNTIME_DIR/vigil/control.sock, else /tmp/vigil-$UID/control.sock.
std::string default_socket_path(const EnvLookup& env);

/// The folder part of a path ("." for a bare file name).
std::string parent_dir(const std::string& path);

}  // namespace vigil
