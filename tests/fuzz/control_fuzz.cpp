// The control socket's requests: lines cut as the server cuts them (kMaxRequest), each parsed.
#include <string>

#include "fuzz_input.hpp"
#include "vigil/control_protocol.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::text(data, size);
  while (!in.empty()) {
    std::size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (line.size() > kMaxRequest) continue;  // the server answers "request too long" unread
    ParsedRequest p = parse_request(std::string(line));
    if (!p.request) (void)error_reply(p.error);
  }
  return 0;
}
