#pragma once
// vigil's two clocks. Durations, deadlines and ages are measured on the steady clock (never jumps);
// the wall clock only stamps what leaves vigil (status.json's taken_at, alert times, silences) and
// reads timestamps that come from outside (the store).
#include <chrono>

namespace vigil {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

/// Wall-clock time as unix seconds (with fractions).
inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// A duration as seconds (with fractions).
template <class Rep, class Period>
double to_seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace vigil
