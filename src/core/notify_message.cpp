#include "vigil/notify_message.hpp"

namespace vigil {

NotifyMessage parse_notify(std::string_view datagram) {
  NotifyMessage m;
  while (!datagram.empty()) {
    std::size_t nl = datagram.find('\n');
    std::string_view line = datagram.substr(0, nl);
    datagram = nl == std::string_view::npos ? std::string_view() : datagram.substr(nl + 1);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "READY") {
      m.ready = value == "1";
    } else if (key == "WATCHDOG") {
      if (value == "1") m.watchdog = true;
      else if (value == "trigger") m.watchdog_trigger = true;
    } else if (key == "WATCHDOG_TRIGGER") {
      m.watchdog_trigger = value == "1";
    } else if (key == "STOPPING") {
      m.stopping = value == "1";
    } else if (key == "STATUS") {
      std::string s(value);
      for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one line in status, whatever was sent
      m.status = s;
    } else if (key == "MAINPID") {
      // At most 9 digits: every Linux pid fits (pid_max <= 2^22), and the sum cannot overflow.
      bool ok = !value.empty() && value.size() <= 9;
      pid_t pid = 0;
      for (std::size_t i = 0; ok && i < value.size(); ++i) {
        if (value[i] < '0' || value[i] > '9') ok = false;
        else pid = pid * 10 + (value[i] - '0');
      }
      if (ok && pid > 0) m.mainpid = pid;
    }
  }
  return m;
}

}  // namespace vigil
