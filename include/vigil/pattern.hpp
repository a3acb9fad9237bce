#pragma once
// A user's regular expression (probe `body`, `ready_log`, `log_match`), matched anywhere in a line.
// RE2 underneath: matching time is linear in the input, so no pattern an operator writes can stall
// the loop on a hostile line (no catastrophic backtracking), and the compiled program is shared,
// immutable and safe to use from any thread.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace vigil {

class Pattern {
 public:
  /// nullopt with `error` set ("missing ): ...") when the pattern does not compile.
  static std::optional<Pattern> compile(const std::string& text, std::string* error);
  bool found_in(std::string_view text) const;
  /// Where the leftmost match in `text` begins; nullopt when there is none.
  std::optional<std::size_t> find_in(std::string_view text) const;
  /// One expression found in a block of '\n'-separated whole lines whenever one of `patterns` is found in
  /// one of those lines (it may also be found when none is: a prefilter). Scanning a read of many lines
  /// once costs far less than each pattern on each line. nullopt when no such promise can be made
  /// (`\A` and `\z` mean a line's edges line by line, but only the block's edges in a block).
  static std::optional<Pattern> any_line_of(const std::vector<const Pattern*>& patterns);
  const std::string& text() const { return text_; }
  bool operator==(const Pattern& o) const { return text_ == o.text_; }

 private:
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace vigil
