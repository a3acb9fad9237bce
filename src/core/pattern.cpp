#include "vigil/pattern.hpp"

#include <re2/re2.h>

namespace vigil {

std::optional<Pattern> Pattern::compile(const std::string& text, std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(text, opts);
  if (!re->ok()) {
    if (error) *error = re->error();
    return std::nullopt;
  }
  Pattern p;
  p.text_ = text;
  p.re_ = std::move(re);
  return p;
}

std::optional<Pattern> Pattern::any_line_of(const std::vector<const Pattern*>& patterns) {
  // (?m): ^ and $ also match next to each '\n', so a line's own edges stay edges in the block; \b
  // sees the same non-word neighbour ('\n' or nothing). Whatever else differs ((?s) dots, [^x] and
  // literal \n crossing lines) only finds more, never less.
  std::string joined = "(?m:";
  for (const Pattern* p : patterns) {
    if (p->text_.find("\\A") != std::string::npos || p->text_.find("\\z") != std::string::npos) return std::nullopt;
    if (joined.size() > 4) joined += '|';
    joined.append("(?:").append(p->text_).append(")");
  }
  joined += ')';
  return compile(joined, nullptr);
}

bool Pattern::found_in(std::string_view text) const { return re_ && RE2::PartialMatch(text, *re_); }

std::optional<std::size_t> Pattern::find_in(std::string_view text) const {
  re2::StringPiece match;
  if (!re_ || !re_->Match(text, 0, text.size(), RE2::UNANCHORED, &match, 1)) return std::nullopt;
  return static_cast<std::size_t>(match.data() - text.data());
}

}  // namespace vigil
