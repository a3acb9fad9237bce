#pragma once
// A user's regular expression (probe `body`, `ready_log`, `log_match`), matched anywhere in a line.
// RE2 underneath: matching time is linear in the input, so no pattern an operator writes can stall
// the loop on a hostile line (no catastrophic backtracking), and the compiled program is shared,
// immutable and safe to use from any thread.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace vigil {

class Pattern {
 public:
  /// nullopt with `error` set ("missing ): ...") when the pattern does not compile.
  static std::optional<Pattern> compile(const std::string& text, std::string* error);
  bool found_in(std::string_view text) const;
  const std::string& text() const { return text_; }
  bool operator==(const Pattern& o) const { return text_ == o.text_; }

 private:
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace vigil
