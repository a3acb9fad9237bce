#pragma once
// Durations and sizes as operators write them in vigil.toml and rules.toml. Pure, no I/O.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

using Duration = std::chrono::milliseconds;

/// "250ms", "1.5s", "10m", "2h", "1d", "0". Fractions are allowed ("0.5s"); the result is rounded to
/// whole milliseconds. On failure returns nullopt and sets *err to a sentence saying what is accepted.
std::optional<Duration> parse_duration(std::string_view text, std::string* err);

/// "50MB", "512KiB", "1.5GB", "4096B", "4096". KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string* err);

/// 1500ms → "1.5s", 90000ms → "1m30s", 250ms → "250ms": short, exact where it matters to an operator.
std::string format_duration(Duration d);

/// How much of a duration an operator needs to see.
enum class DurationStyle {
  Exact,    // one decimal below a minute ("3.2s"), then like format_duration ("1h2m5s"): alerts, logs
  Compact,  // one decimal below 10 s, then at most two units ("1h2m", "3d4h"): table columns
};

/// Seconds (negative reads as 0) as operators read durations: the one seconds formatter.
std::string format_seconds(double seconds, DurationStyle style = DurationStyle::Exact);

/// 52428800 → "50MB" when exact, else "52.4MB"; uses powers of 1000 like the config does.
std::string format_size(std::uint64_t bytes);

}  // namespace vigil
