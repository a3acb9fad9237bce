#pragma once
// `env_file = "app.env"`: dotenv lines for a service's or job's environment. Pure: text in, values out.
//
// Accepted (docs/config.md): blank lines; `# comments`; `KEY=value` with an optional `export ` prefix
// and blanks around `=`; KEY is [A-Za-z_][A-Za-z0-9_]*; an unquoted value is trimmed and ends at
// ` #`; 'single quotes' keep every character; "double quotes" understand \n \t \r \\ \" \$. A value is
// one line. Nothing is expanded: `$HOME` stays `$HOME` (a value never runs through a shell).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/error.hpp"

namespace vigil {

struct EnvFile {
  std::vector<std::pair<std::string, std::string>> vars;  // in file order; a repeated KEY keeps its last value
  Diagnostics errors;                                     // FILE:LINE:COL, every bad line
};

/// `path` only names the file in diagnostics. Read the file with read_trusted_file()
/// (trusted_file.hpp): an env file others can write is refused like the config and rules.
EnvFile parse_env_file(std::string_view text, const std::string& path);

}  // namespace vigil
