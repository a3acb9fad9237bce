#pragma once
// Reading a whole (small) file at once: the config, the rules, the silences, the last status.json.
#include <optional>
#include <string>

namespace vigil {

/// The file's bytes, or nullopt with *error (when given) saying why ("No such file or directory").
std::optional<std::string> read_file(const std::string& path, std::string* error = nullptr);

}  // namespace vigil
