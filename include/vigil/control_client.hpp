#pragma once
// The CLI side of the control socket: options shared by the client commands, finding the socket
// (-s, $VIGIL_SOCKET, the socket named in -c FILE, the default path — in that order), and one
// request/reply with a deadline.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "vigil/commands.hpp"

namespace vigil {

struct ClientArgs {
  std::string socket;  // resolved
  std::vector<std::string> positional;
  std::set<std::string> flags;                // e.g. "--json", "-f"
  std::map<std::string, std::string> values;  // e.g. "-n" -> "50"
};

/// Parses `args` for `command`; `flags` and `valued` are the options it accepts besides -s/-c.
/// On a usage error prints it (and the usage line) and returns false: exit 2.
bool parse_client_args(const Args& args, const std::string& command, const std::string& usage,
                       const std::set<std::string>& flags, const std::set<std::string>& valued, ClientArgs* out);

struct Reply {
  bool reached = false;  // false: nobody answered on the socket (vigil not running)
  bool denied = false;   // not reached because this user may not open the socket (vigil runs as another user)
  std::string error;     // why not reached, or the server's error message
  nlohmann::json body;   // the reply object when reached
  bool ok() const { return reached && body.value("ok", false); }
};

Reply send_request(const std::string& socket, const nlohmann::json& request, int timeout_ms = 5000);

/// Whether to colour output on stdout (a terminal, and NO_COLOR unset).
bool use_color();

}  // namespace vigil
