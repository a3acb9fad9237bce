// argv → subcommand. Nothing else lives here.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "vigil/commands.hpp"

namespace {

struct Command {
  const char* name;
  const char* usage;
  const char* help;
  int (*run)(const vigil::Args&);
};

// One table: `vigil --help` prints it, `vigil COMMAND --help` prints a row, dispatch reads it.
constexpr Command kCommands[] = {
    {"run", "vigil run [-c FILE] [--debug]", "supervise the configured services in the foreground", vigil::cmd_run},
    {"check", "vigil check [-c FILE]", "validate config and rules; every error as FILE:LINE:COL: message", vigil::cmd_check},
    {"status", "vigil status [SERVICE...] [--json]", "health of vigil and its services (one SERVICE: all about it); exit 0 ok, 1 warning, 2 critical, 3 unknown", vigil::cmd_status},
    {"start", "vigil start SERVICE...|--all [--no-wait] [--timeout DUR]", "start services (a failed one too) and wait until running", vigil::cmd_start},
    {"stop", "vigil stop SERVICE...|--all [--no-wait] [--timeout DUR]", "stop services and wait until stopped", vigil::cmd_stop},
    {"restart", "vigil restart SERVICE...|--all [--no-wait] [--timeout DUR]", "restart services and wait until running again", vigil::cmd_restart},
    {"reload", "vigil reload", "re-read config and rules (same as SIGHUP); exit 1 if rejected", vigil::cmd_reload},
    {"logs", "vigil logs [SERVICE|JOB...] [-n N] [-f]", "last N lines of services' or jobs' logs (several: each line prefixed with its name); -f follows them", vigil::cmd_logs},
    {"alerts", "vigil alerts [--json]", "active (pending and firing) alerts", vigil::cmd_alerts},
    {"silence", "vigil silence SERVICE|JOB[/RULE] --for DUR [--reason TEXT] | --list | --remove ID",
     "mute notifications (never actions) for a while", vigil::cmd_silence},
    {"run-now", "vigil run-now JOB [--wait] [--follow]", "run a job now; --wait exits with its exit code (128+N for a signal)", vigil::cmd_run_now},
    {"cancel", "vigil cancel JOB|--all [--timeout DUR]", "stop a job's run (its whole process group) and wait until it is gone", vigil::cmd_cancel},
    {"history", "vigil history [JOB] [--json] [-n N]", "the job runs recorded, one line per attempt", vigil::cmd_history},
};

void usage(std::ostream& out) {
  out << "usage: vigil [-c FILE | -s PATH] COMMAND [options]\n\n"
         "A process supervisor with a health-check watchdog.\n\ncommands:\n";
  for (const Command& c : kCommands) out << "  " << c.name << std::string(10 - std::string(c.name).size(), ' ') << c.help << "\n";
  out << "\ncommon options:\n"
         "  -c, --config FILE   the config (default: $XDG_CONFIG_HOME/vigil/vigil.toml)\n"
         "  -s, --socket PATH   the control socket (default: $VIGIL_SOCKET, the config's, $XDG_RUNTIME_DIR/vigil/control.sock)\n"
         "\n  vigil COMMAND --help   usage of one command\n"
         "  vigil --version        print the version\n"
         "\nexit codes: 0 success, 1 failure, 2 usage error; status: 0 ok, 1 warning, 2 critical, 3 unknown\n";
}

}  // namespace

int main(int argc, char** argv) {
  // The common options may also come before the command (`vigil -c FILE status`, as with `git -C`
  // or `systemctl --user`): they are handed to the command after its own arguments.
  vigil::Args leading;
  int at = 1;
  while (at < argc) {
    std::string opt = argv[at];
    if (opt != "-c" && opt != "--config" && opt != "-s" && opt != "--socket") break;
    if (at + 1 >= argc) {
      std::cerr << "vigil: " << opt << " needs a value, and a command after it\n";
      usage(std::cerr);
      return 2;
    }
    leading.insert(leading.end(), {opt, argv[at + 1]});
    at += 2;
  }
  if (at >= argc) {
    usage(std::cerr);
    return 2;
  }
  std::string cmd = argv[at];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return 0;
  }
  if (cmd == "--version" || cmd == "-V") {
    std::cout << "vigil " << VIGIL_VERSION << "\n";
    return 0;
  }
  vigil::Args args(argv + at + 1, argv + argc);
  args.insert(args.end(), leading.begin(), leading.end());
  for (const Command& c : kCommands) {
    if (cmd != c.name) continue;
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::cout << "usage: " << c.usage << "\n  " << c.help << "\n";
      return 0;
    }
    if (cmd == "run") return c.run(args);
    try {
      return c.run(args);
    } catch (const nlohmann::json::exception& e) {
      // A reply this client cannot read: after an upgrade, the daemon still running may be the
      // older binary. Say so instead of aborting.
      std::cerr << "vigil " << cmd << ": vigil's reply is not what this client reads (" << e.what()
                << "); if vigil was upgraded, restart it (systemctl --user restart vigil)\n";
      return cmd == "status" ? 3 : 1;
    }
  }
  std::cerr << "vigil: unknown command '" << cmd << "'\n";
  usage(std::cerr);
  return 2;
}
