// argv → subcommand. Nothing else lives here.
#include <iostream>
#include <string>

#include "vigil/commands.hpp"

namespace {

struct Command {
  const char* name;
  const char* help;
  int (*run)(const vigil::Args&);
};

// One table: `vigil --help` prints it, dispatch reads it.
constexpr Command kCommands[] = {
    {"run", "supervise the configured services in the foreground", vigil::cmd_run},
    {"check", "validate the config; every error as FILE:LINE:COL: message", vigil::cmd_check},
};

void usage(std::ostream& out) {
  out << "usage: vigil COMMAND [options]\n\n"
         "A process supervisor with a health-check watchdog.\n\ncommands:\n";
  for (const Command& c : kCommands) out << "  " << c.name << std::string(10 - std::string(c.name).size(), ' ') << c.help << "\n";
  out << "\noptions for run and check:\n"
         "  -c, --config FILE   the config (default: $XDG_CONFIG_HOME/vigil/vigil.toml)\n"
         "  --debug             (run) also log events a service ignored\n"
         "\n  vigil --version     print the version\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return 0;
  }
  if (cmd == "--version" || cmd == "-V") {
    std::cout << "vigil " << VIGIL_VERSION << "\n";
    return 0;
  }
  vigil::Args args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (cmd != c.name) continue;
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::cout << "vigil " << c.name << " [-c FILE]: " << c.help << "\n";
      return 0;
    }
    return c.run(args);
  }
  std::cerr << "vigil: unknown command '" << cmd << "'\n";
  usage(std::cerr);
  return 2;
}
