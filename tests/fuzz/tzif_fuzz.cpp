// Time zone files (TZif, RFC 8536) and their POSIX TZ footers, then offsets at a few instants.
#include <string>

#include "fuzz_input.hpp"
#include "vigil/time_zone.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = fuzz::text(data, size);
  std::string err;
  if (auto zone = parse_tzif(bytes, "Fuzz/Zone", &err)) {
    for (std::int64_t t : {std::int64_t{-1} << 40, std::int64_t{0}, std::int64_t{1795374406}, std::int64_t{1} << 40})
      (void)zone->offset_at(t);
  }
  if (auto tz = parse_posix_tz(bytes, &err)) {
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{1795374406}, std::int64_t{4102444800}}) (void)tz->offset_at(t);
  }
  return 0;
}
