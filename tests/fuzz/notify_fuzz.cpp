// sd_notify datagrams from children, up to the size the socket reads.
#include "fuzz_input.hpp"
#include "vigil/notify_message.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxNotifyDatagram) return 0;  // dropped unread by notify_socket
  NotifyMessage m = parse_notify(fuzz::text(data, size));
  if (m.mainpid && *m.mainpid <= 0) __builtin_trap();  // a pid vigil would signal must be positive
  return 0;
}
