#pragma once
// The format of a line in a service's log file, shared by the two places that read a child's
// pipe (the output pump on the loop, the writer thread for a pipe it reads itself):
//
//   2026-11-22T18:45:01.123Z out some text
//
// Not thread-safe: one LogTimestamp per thread.
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "vigil/line_splitter.hpp"

namespace vigil {

// "2026-11-22T18:45:01.123Z" for now; the part up to the seconds is recomputed once per second.
class LogTimestamp {
 public:
  const std::string& now() {
    auto t = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    if (secs != cached_secs_) {
      std::tm tm{};
      ::gmtime_r(&secs, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.", &tm);
      text_ = buf;
      text_ += "000Z";
      cached_secs_ = secs;
    }
    int m = static_cast<int>(ms % 1000);
    std::size_t at = text_.size() - 4;
    text_[at] = static_cast<char>('0' + m / 100);
    text_[at + 1] = static_cast<char>('0' + m / 10 % 10);
    text_[at + 2] = static_cast<char>('0' + m % 10);
    return text_;
  }

  /// "TIMESTAMP TAG ": every line of one read gets the same prefix.
  const std::string& prefix(const char* tag) {
    prefix_.assign(now()).append(1, ' ').append(tag).append(1, ' ');
    return prefix_;
  }

 private:
  std::time_t cached_secs_ = -1;
  std::string text_;
  std::string prefix_;
};

/// Room for the prefixes of a read of `n` bytes up front (enough for lines of 60 bytes and
/// longer): growing a 64 KiB string mid-chunk copied it once more. Counting the newlines first
/// cost more than it saved.
inline void reserve_for_read(std::string& chunk, const LineSplitter& lines, std::size_t n) {
  chunk.reserve(lines.pending() + n * 3 / 2 + 256);
}

/// Appends each complete line of `read` to `chunk` as "PREFIX line\n"; returns how many.
inline std::size_t append_lines(LineSplitter& lines, std::string_view read, std::string_view prefix,
                                std::string& chunk) {
  std::size_t count = 0;
  lines.feed(read, [&](std::string_view line) {
    chunk.append(prefix).append(line).push_back('\n');
    ++count;
  });
  return count;
}

/// At EOF: a last line without '\n' is still a line.
inline std::size_t append_last_line(LineSplitter& lines, std::string_view prefix, std::string& chunk) {
  std::size_t count = 0;
  lines.finish([&](std::string_view line) {
    chunk.append(prefix).append(line).push_back('\n');
    ++count;
  });
  return count;
}

}  // namespace vigil
