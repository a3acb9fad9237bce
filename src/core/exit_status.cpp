#include "vigil/exit_status.hpp"

#include <sys/wait.h>

#include "vigil/signal_names.hpp"

namespace vigil {

ExitStatus ExitStatus::from_wait_status(int wstatus) {
  ExitStatus e;
  if (WIFSIGNALED(wstatus)) {
    e.signaled = true;
    e.signal = WTERMSIG(wstatus);
    e.core_dumped = WCOREDUMP(wstatus);
  } else if (WIFEXITED(wstatus)) {
    e.code = WEXITSTATUS(wstatus);
  }
  return e;
}

std::string ExitStatus::describe() const {
  if (signaled) {
    std::string s = "was killed by " + signal_name(signal);
    if (core_dumped) s += " (core dumped)";
    return s;
  }
  return "exited with status " + std::to_string(code);
}

}  // namespace vigil
