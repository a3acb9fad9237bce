#pragma once
// Splits a child's byte stream into lines. Pure and allocation-light: complete lines inside a chunk are
// handed out as views into that chunk; only a partial tail is copied. A line longer than max_line is
// cut into max_line pieces so one runaway writer cannot make vigil buffer without bound.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vigil {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 16 * 1024) : max_line_(max_line) {}

  /// Bytes of an unfinished line held from earlier feeds.
  std::size_t pending() const { return partial_.size(); }

  /// Lines given out so far (a cut over-long line counts per piece).
  std::uint64_t lines() const { return lines_; }

  /// Calls on_line(std::string_view) for every complete line in `data` (without the '\n').
  template <class OnLine>
  void feed(std::string_view data, OnLine&& on_line_) {
    auto on_line = [&](std::string_view line) {
      ++lines_;
      on_line_(line);
    };
    while (!data.empty()) {
      const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
      std::size_t upto = nl ? static_cast<std::size_t>(nl - data.data()) : data.size();
      if (partial_.empty()) {
        // Fast path: emit straight from the caller's buffer.
        std::size_t start = 0;
        while (upto - start > max_line_) {
          on_line(data.substr(start, max_line_));
          start += max_line_;
        }
        if (nl) {
          on_line(data.substr(start, upto - start));
        } else {
          partial_.assign(data.data() + start, upto - start);
        }
      } else {
        std::size_t room = max_line_ - partial_.size();
        if (upto > room) {
          partial_.append(data.data(), room);
          on_line(std::string_view(partial_));
          partial_.clear();
          data.remove_prefix(room);
          continue;
        }
        partial_.append(data.data(), upto);
        if (nl) {
          on_line(std::string_view(partial_));
          partial_.clear();
        }
      }
      if (!nl) return;
      data.remove_prefix(upto + 1);
    }
  }

  /// At EOF: a last line without '\n' is still a line.
  template <class OnLine>
  void finish(OnLine&& on_line) {
    if (!partial_.empty()) {
      ++lines_;
      on_line(std::string_view(partial_));
      partial_.clear();
    }
  }

  bool has_partial() const { return !partial_.empty(); }

 private:
  std::size_t max_line_;
  std::string partial_;
  std::uint64_t lines_ = 0;
};

}  // namespace vigil
