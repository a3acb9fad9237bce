#include "vigil/signal_names.hpp"

#include <csignal>
#include <string>

namespace vigil {
namespace {

struct SignalName {
  const char* name;  // without the SIG prefix
  int number;
};

constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG},       {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"PWR", SIGPWR},   {"SYS", SIGSYS},
};

}  // namespace

std::optional<int> parse_signal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() >= '0' && text.front() <= '9') {
    int n = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
      if (n > 64) return std::nullopt;
    }
    if (n < 1) return std::nullopt;
    return n;
  }
  if (text.substr(0, 3) == "SIG") text.remove_prefix(3);
  for (const SignalName& s : kSignals)
    if (text == s.name) return s.number;
  return std::nullopt;
}

std::string signal_name(int signo) {
  for (const SignalName& s : kSignals)
    if (s.number == signo) return std::string("SIG") + s.name;
  return "signal " + std::to_string(signo);
}

}  // namespace vigil
