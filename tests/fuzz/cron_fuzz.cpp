// Job schedules: the cron parser, then the next runs of what parses, in UTC and in a zone with
// daylight-saving changes (the searches are bounded; they must end).
#include "fuzz_input.hpp"
#include "vigil/cron.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CronError err;
  auto s = parse_cron(fuzz::text(data, size), &err);
  if (!s) return 0;
  static const TimeZone kUtc = TimeZone::utc();
  std::int64_t t = 1795374406;  // 2026-11-22
  for (int i = 0; i < 3; ++i) {
    auto next = next_run(*s, kUtc, t);
    if (!next) break;
    if (*next <= t) __builtin_trap();  // strictly after, or a scheduler would spin
    t = *next;
  }
  (void)next_local_match(*s, 1774746000);  // around a spring-forward change in Europe
  return 0;
}
