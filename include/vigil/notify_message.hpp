#pragma once
// The sd_notify protocol as vigil's children speak it (vigil is their systemd): newline-separated
// KEY=VALUE assignments in one datagram. Pure. Unknown keys are ignored, as systemd does.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct NotifyMessage {
  bool ready = false;             // READY=1
  bool watchdog = false;          // WATCHDOG=1
  bool watchdog_trigger = false;  // WATCHDOG_TRIGGER=1: "restart me as if the watchdog fired"
  bool stopping = false;          // STOPPING=1
  std::optional<std::string> status;  // STATUS=...
  std::optional<pid_t> mainpid;       // MAINPID=...
};

/// Datagrams larger than this are dropped unread (systemd's own limit is 4 KiB of payload per
/// field in practice; STATUS= is a one-liner).
constexpr std::size_t kMaxNotifyDatagram = 4096;

NotifyMessage parse_notify(std::string_view datagram);

}  // namespace vigil
